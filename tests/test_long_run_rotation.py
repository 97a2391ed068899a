"""A kill while a checkpoint is being saved with ``max_keep_ckpts=1`` leaves
the previous checkpoint, named by ``last_checkpoint`` and loadable, and
``--resume`` continues from it (end to end through ``tools/train.py``;
MMEngine alone removes ``epoch_1.pth`` before writing ``epoch_2.pth``, see
``test_checkpoint_integrity.py`` for that control)."""
import sys

import pytest


@pytest.mark.slow
def test_kill_during_save_leaves_a_resumable_checkpoint(e2e, vanilla_cfg,
                                                         tmp_path):
    from adautomix_mm.compat import load_weights_only
    work_dir = tmp_path / 'wd'
    env = e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                       omp_threads=1)

    def train(name, *args, options=()):
        cmd = [sys.executable, e2e.repo_root / 'tools' / 'train.py',
               vanilla_cfg, '--work-dir', work_dir, '--no-validate', *args
               ] + e2e.cfg_options('train_cfg.max_epochs=2',
                                   'default_hooks.checkpoint.max_keep_ckpts=1',
                                   *options)
        return e2e.run_cmd(cmd, env=env, cwd=tmp_path, timeout=300,
                           check=False, log_file=tmp_path / f'{name}.out')

    killed = train('killed', options=(
        'default_hooks.killer.type=kill_hook.KillAtSaveHook',
        'default_hooks.killer.at_epoch=2'))
    assert killed.returncode in (-9, 137), killed.stdout[-3000:]
    assert 'SIGKILL while saving epoch 2' in killed.stdout
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['epoch_1.pth']
    assert (work_dir / 'last_checkpoint').read_text() == 'epoch_1.pth'
    ckpt = load_weights_only(str(work_dir / 'epoch_1.pth'))
    assert ckpt['meta']['epoch'] == 1 and 'message_hub' in ckpt

    resumed = train('resumed', '--resume')
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert 'resumed epoch: 1, iter: 4' in resumed.stdout
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['epoch_2.pth']
    assert (work_dir / 'last_checkpoint').read_text() == 'epoch_2.pth'
