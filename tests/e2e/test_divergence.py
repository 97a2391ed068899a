"""A diverging run stops with a named error and keeps a finite checkpoint;
testing a two-network config on an exported (plain) checkpoint fails with how
to evaluate it. End to end through ``tools/train.py`` / ``tools/test.py``."""
import sys

import pytest
import torch

EPOCHS = 4
ITERS_PER_EPOCH = 4  # 64 images, batch 16
BLOWUP_AT = 2 * ITERS_PER_EPOCH  # first iteration of epoch 3 (0-based)


def _env(e2e):
    return e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                        omp_threads=1)


def _train(e2e, vanilla_cfg, work_dir, tmp_path, name, *extra):
    cmd = [sys.executable, e2e.repo_root / 'tools' / 'train.py', vanilla_cfg,
           '--work-dir', work_dir, '--no-validate'] + e2e.cfg_options(
        f'train_cfg.max_epochs={EPOCHS}',
        'default_hooks.checkpoint.max_keep_ckpts=1',
        'default_hooks.blowup.type=lr_blowup_hook.LrBlowUpHook',
        f'default_hooks.blowup.at_iter={BLOWUP_AT}', *extra)
    return e2e.run_cmd(cmd, env=_env(e2e), cwd=tmp_path, timeout=300,
                       check=False, log_file=tmp_path / f'{name}.out')


def _newest(work_dir):
    from adautomix_mm.runtime.compat import load_weights_only
    latest = (work_dir / 'last_checkpoint').read_text().strip()
    return latest, load_weights_only(latest, map_location='cpu')


def _nonfinite(state_dict):
    return [k for k, v in state_dict.items()
            if v.is_floating_point() and not torch.isfinite(v).all()]


@pytest.mark.slow
def test_diverging_run_stops_and_newest_checkpoint_is_finite(
        e2e, vanilla_cfg, tmp_path):
    work_dir = tmp_path / 'guarded'
    out = _train(e2e, vanilla_cfg, work_dir, tmp_path, 'guarded')
    assert out.returncode != 0
    assert 'FloatingPointError' in out.stdout
    assert "Non-finite loss 'loss' at iteration" in out.stdout, \
        out.stdout[-4000:]
    stopped = int(out.stdout.split("Non-finite loss 'loss' at iteration ")[1]
                  .split(' ')[0])
    assert BLOWUP_AT < stopped <= EPOCHS * ITERS_PER_EPOCH
    latest, ckpt = _newest(work_dir)
    assert latest.endswith('epoch_2.pth')
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['epoch_2.pth']
    assert _nonfinite(ckpt['state_dict']) == []

    # Not vacuous: without the guard the same run ends "successfully" with
    # only non-finite checkpoints left.
    work_dir = tmp_path / 'unguarded'
    out = _train(e2e, vanilla_cfg, work_dir, tmp_path, 'unguarded',
                 'default_hooks.nonfinite_loss=None')
    assert out.returncode == 0, out.stdout[-4000:]
    latest, ckpt = _newest(work_dir)
    assert latest.endswith(f'epoch_{EPOCHS}.pth')
    assert _nonfinite(ckpt['state_dict'])


@pytest.mark.slow
def test_testing_two_network_config_on_exported_checkpoint_fails(
        e2e, tmp_path):
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    import adautomix_mm  # noqa: F401
    cfg = Config.fromfile(str(e2e.repo_root / 'configs' / 'adautomix' /
                              'adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'))
    model = MODELS.build(cfg.model)
    model.init_weights()
    full = tmp_path / 'adautomix.pth'
    torch.save(dict(state_dict=model.state_dict(), meta={}), full)
    exported = tmp_path / 'teacher.pth'
    e2e.run_cmd([sys.executable, e2e.repo_root / 'tools' /
                 'export_network.py', full, exported], cwd=tmp_path)
    cmd = [sys.executable, e2e.repo_root / 'tools' / 'test.py',
           e2e.repo_root / 'configs' / 'adautomix' /
           'adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py', exported,
           '--work-dir', tmp_path / 'wd'] + e2e.cfg_options()
    out = e2e.run_cmd(cmd, env=_env(e2e), cwd=tmp_path, timeout=200,
                      check=False)
    assert out.returncode != 0
    assert 'no EMA teacher weights' in out.stdout
    assert 'plain ImageClassifier config' in out.stdout
    # The suggested way works: the plain config evaluates the exported file.
    plain = e2e.repo_root / 'configs' / 'baselines' / 'vanilla' / \
        'vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py'
    ok = e2e.run_cmd([sys.executable, e2e.repo_root / 'tools' / 'test.py',
                      plain, exported, '--work-dir', tmp_path / 'wd2'] +
                     e2e.cfg_options(), env=_env(e2e), cwd=tmp_path,
                     timeout=200)
    assert 'accuracy/top1' in ok.stdout
