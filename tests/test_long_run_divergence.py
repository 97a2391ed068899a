"""A diverging run stops with a named error and keeps its last checkpoint
from before the divergence, and the stop message's resume command (a lower
learning rate) works; a constant learning rate of 20 (finite losses) is
caught; testing a two-network config on an exported (plain) checkpoint fails
with how to evaluate it. End to end through ``tools/train.py`` /
``tools/test.py``."""
import sys

import pytest
import torch

EPOCHS = 4
ITERS_PER_EPOCH = 4  # 64 images, batch 16
BLOWUP_AT = 2 * ITERS_PER_EPOCH  # first iteration of epoch 3 (0-based)
# From there the learning rate grows 10x per iteration: 1, 10, 100, ...
GROWING_LR = (f'default_hooks.blowup.at_iter={BLOWUP_AT}',
              'default_hooks.blowup.lr=1', 'default_hooks.blowup.factor=10')


def _env(e2e):
    return e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                        omp_threads=1)


def _train(e2e, vanilla_cfg, work_dir, tmp_path, name, *extra, args=(),
           blowup=GROWING_LR):
    blowup = ('default_hooks.blowup.type=lr_blowup_hook.LrBlowUpHook',
              ) + tuple(blowup) if blowup else ()
    cmd = [sys.executable, e2e.repo_root / 'tools' / 'train.py', vanilla_cfg,
           '--work-dir', work_dir, '--no-validate', *args] + e2e.cfg_options(
        f'train_cfg.max_epochs={EPOCHS}',
        'default_hooks.checkpoint.max_keep_ckpts=1', *blowup, *extra)
    return e2e.run_cmd(cmd, env=_env(e2e), cwd=tmp_path, timeout=300,
                       check=False, log_file=tmp_path / f'{name}.out')


def _logged_lr(work_dir):
    """Per run segment (oldest first), ``{iteration: lr}`` as logged (the
    rate the schedule set, before the blow-up hook changes it)."""
    import json
    segments = []
    for path in sorted(work_dir.glob('*/vis_data/scalars.json')):
        recs = [json.loads(line) for line in path.read_text().splitlines()]
        segments.append({r['iter']: r['lr'] for r in recs
                         if 'lr' in r and 'iter' in r})
    return segments


def _cosine_lr(vanilla_cfg, iteration):
    """The config's cosine schedule (by epoch, converted to iterations) at
    the 1-based ``iteration``: eta_min + (lr - eta_min)(1 + cos(pi t/T))/2
    with t = iteration - 1, T = (end - begin) x iterations per epoch."""
    import math

    from mmengine.config import Config
    cfg = Config.fromfile(str(vanilla_cfg))
    sched, lr = cfg.param_scheduler, cfg.optim_wrapper.optimizer.lr
    assert sched.type == 'CosineAnnealingLR' and sched.get('T_max') is None
    T = (sched.end - sched.begin) * ITERS_PER_EPOCH
    return sched.eta_min + (lr - sched.eta_min) * (
        1 + math.cos(math.pi * (iteration - 1) / T)) / 2


def _newest(work_dir):
    from adautomix_mm.compat import load_weights_only
    from adautomix_mm.engine.hooks.checkpoint_safety_hook import \
        resolve_last_checkpoint
    latest, _ = resolve_last_checkpoint(str(work_dir))
    return latest, load_weights_only(latest, map_location='cpu')


def _nonfinite(state_dict):
    return [k for k, v in state_dict.items()
            if v.is_floating_point() and not torch.isfinite(v).all()]


@pytest.mark.slow
def test_diverging_run_stops_and_resumes_with_a_lower_lr(
        e2e, vanilla_cfg, tmp_path):
    work_dir = tmp_path / 'guarded'
    out = _train(e2e, vanilla_cfg, work_dir, tmp_path, 'guarded')
    assert out.returncode != 0
    assert 'DivergenceError: Diverging: the parameter norm after iteration ' \
        in out.stdout, out.stdout[-4000:]
    stopped = int(out.stdout.split('the parameter norm after iteration ')[1]
                  .split(' ')[0])
    # Caught in epoch 3, before its checkpoint would rotate epoch_2 away.
    assert BLOWUP_AT < stopped <= 3 * ITERS_PER_EPOCH
    latest, ckpt = _newest(work_dir)
    assert latest == str(work_dir / 'epoch_2.pth')
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['epoch_2.pth']
    assert _nonfinite(ckpt['state_dict']) == []
    # The message's command resumes with the whole schedule 10x lower.
    advice = f'--resume {latest} --resume-lr-scale 0.1'
    assert advice in out.stdout
    resumed = _train(e2e, vanilla_cfg, work_dir, tmp_path, 'resumed',
                     args=advice.split(), blowup=())
    assert resumed.returncode == 0, resumed.stdout[-4000:]
    assert 'learning rates and their schedules x 0.1' in resumed.stdout

    # Not vacuous: without the guard the same run ends "successfully" with
    # only non-finite checkpoints left.
    work_dir = tmp_path / 'unguarded'
    out = _train(e2e, vanilla_cfg, work_dir, tmp_path, 'unguarded',
                 'default_hooks.nonfinite_loss=None')
    assert out.returncode == 0, out.stdout[-4000:]
    latest, ckpt = _newest(work_dir)
    assert latest.endswith(f'epoch_{EPOCHS}.pth')
    assert _nonfinite(ckpt['state_dict'])

    # The resumed run followed the original schedule times 0.1 (the first
    # run followed the original one up to the blow-up), and ended finite.
    first, resumed = _logged_lr(tmp_path / 'guarded')
    assert [first[i] for i in range(1, BLOWUP_AT + 2)] == pytest.approx(
        [_cosine_lr(vanilla_cfg, i) for i in range(1, BLOWUP_AT + 2)],
        rel=1e-9)
    resumed_iters = range(BLOWUP_AT + 1, EPOCHS * ITERS_PER_EPOCH + 1)
    assert sorted(resumed) == list(resumed_iters)
    assert [resumed[i] for i in resumed_iters] == pytest.approx(
        [0.1 * _cosine_lr(vanilla_cfg, i) for i in resumed_iters], rel=1e-9)
    _, ckpt = _newest(tmp_path / 'guarded')
    assert ckpt['meta']['epoch'] == EPOCHS
    assert _nonfinite(ckpt['state_dict']) == []


@pytest.mark.slow
def test_constant_lr_20_is_caught_although_losses_stay_finite(
        e2e, vanilla_cfg, tmp_path):
    work_dir = tmp_path / 'lr20'
    out = _train(e2e, vanilla_cfg, work_dir, tmp_path, 'lr20',
                 'optim_wrapper.optimizer.lr=20', 'param_scheduler.eta_min=20',
                 blowup=())
    assert out.returncode != 0
    assert 'Diverging: the parameter norm after iteration' in out.stdout, \
        out.stdout[-4000:]
    # The earlier guards saw nothing: finite losses below warn_loss.
    assert 'Non-finite' not in out.stdout and 'exceeds' not in out.stdout
    assert not list(work_dir.glob('*.pth'))
    assert 'No checkpoint is in' in out.stdout


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
