"""``load_from`` a plain ImageClassifier checkpoint into AdAutoMix through
``tools/train.py``: the online network and the EMA teacher both start from
the loaded weights (the reference starts the teacher as a copy)."""
import sys

import pytest
import torch

DEMO = 'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'


@pytest.mark.slow
def test_load_from_plain_checkpoint_initialises_teacher_as_online(
        e2e, vanilla_cfg, tmp_path):
    env = e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                       omp_threads=1)
    plain_dir, mix_dir = tmp_path / 'plain', tmp_path / 'mix'
    e2e.run_cmd([sys.executable, e2e.repo_root / 'tools' / 'train.py',
                 vanilla_cfg, '--work-dir', plain_dir, '--no-validate'] +
                e2e.cfg_options(), env=env, cwd=tmp_path, timeout=240)
    plain_ckpt = plain_dir / 'epoch_1.pth'
    out = e2e.run_cmd(
        [sys.executable, e2e.repo_root / 'tools' / 'train.py',
         e2e.repo_root / DEMO, '--work-dir', mix_dir, '--no-validate'] +
        e2e.cfg_options(
            f'load_from={plain_ckpt}',
            'train_dataloader.batch_size=64',
            'default_hooks.rank_state_dump.type='
            'ddp_state_dump.RankStateDumpHook'),
        env=env, cwd=tmp_path, timeout=240)
    assert 'the teacher starts as a copy of the loaded online network' \
        in out.stdout
    # MMEngine's warning lists the keys the file lacks: the teacher's
    # backbone/head are no longer among them (the mix head and Mix Block,
    # absent from a plain classifier, still are).
    missing = [line for line in out.stdout.splitlines()
               if 'missing keys in source state_dict' in line]
    assert missing and 'mix_block.' in missing[0]
    assert 'teacher.module.backbone' not in missing[0]

    from adautomix_mm.runtime.compat import load_weights_only
    plain = load_weights_only(str(plain_ckpt))['state_dict']
    init = torch.load(mix_dir / 'rank0_init.pth', weights_only=True)
    state = dict(init['params'], **init['buffers'])
    loaded = [k for k in plain if k.startswith(('backbone.', 'head.'))]
    assert loaded
    for key in loaded:
        assert torch.equal(state[key], plain[key]), key
        assert torch.equal(state['teacher.module.' + key], plain[key]), key
