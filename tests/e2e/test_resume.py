"""``tools/train.py --resume`` continues a run exactly where it stopped.

Run A trains 2 epochs straight. Run B trains 1 epoch, stops, and is resumed
(``--resume`` = latest checkpoint of the work dir) up to 2 epochs. With the
deterministic variant of the vanilla config (no random augmentation, seed 0,
data order given by ``DefaultSampler(seed, epoch)`` only, no dropout,
``num_workers=0``, the same thread count) both runs perform the same
floating-point operations in the same order, so the comparisons below are
exact, not approximate: any state that resume failed to restore (weights,
SGD momentum buffers, scheduler position, epoch/iteration counters, sampler
epoch) changes the second epoch's losses and final weights.

The cosine schedule (``end=5`` epochs, per iteration) does not depend on
``max_epochs``, so B's first leg (``max_epochs=1``) and A see the same LRs.
"""
import json
import sys

import pytest
import torch

ITERS_PER_EPOCH = 4  # 64 images, batch 16


def _train(e2e, cfg, work_dir, cwd, max_epochs, *extra, log_name):
    cmd = [sys.executable, e2e.repo_root / 'tools' / 'train.py', cfg,
           '--work-dir', work_dir, '--no-validate', *extra]
    cmd += e2e.cfg_options(f'train_cfg.max_epochs={max_epochs}',
                           'default_hooks.checkpoint.max_keep_ckpts=-1')
    return e2e.run_cmd(cmd, cwd=cwd, timeout=240,
                       log_file=cwd / f'{log_name}.out')


def _scalars(work_dir):
    """Per-iteration ``{iter: record}`` of every run in ``work_dir``."""
    records = {}
    for path in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            if 'loss' in rec:
                records[rec['iter']] = rec
    return records


def _load(path):
    # Our own checkpoints: trusted, so a full (pickle) load is fine here.
    return torch.load(path, map_location='cpu', weights_only=False)


def _assert_same_tensors(a, b, what):
    assert a.keys() == b.keys(), what
    differing = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differing, f'{what}: {differing[:10]}'


def _assert_same_optimizer(a, b):
    assert a['param_groups'] == b['param_groups']
    assert a['state'].keys() == b['state'].keys()
    for idx in a['state']:
        _assert_same_tensors(a['state'][idx], b['state'][idx],
                             f'optimizer state {idx}')


@pytest.fixture(scope='module')
def runs(tmp_path_factory, e2e, vanilla_cfg):
    """Run A (2 epochs) and run B (1 epoch, then ``--resume`` to 2)."""
    cfg = e2e.test_configs_dir / 'vanilla_deterministic.py'
    root = tmp_path_factory.mktemp('resume')
    a_dir, b_dir = root / 'a', root / 'b'
    _train(e2e, cfg, a_dir, root, 2, log_name='a')
    _train(e2e, cfg, b_dir, root, 1, log_name='b1')
    b1_ckpt = _load(b_dir / 'epoch_1.pth')  # before the resumed leg runs
    resumed = _train(e2e, cfg, b_dir, root, 2, '--resume', log_name='b2')
    return dict(a=a_dir, b=b_dir, b1_ckpt=b1_ckpt, resumed=resumed)


@pytest.mark.slow
def test_resume_starts_at_saved_epoch_and_iteration(runs, e2e):
    out = runs['resumed'].stdout
    assert 'Auto resumed from the latest checkpoint' in out
    assert str(runs['b'] / 'epoch_1.pth') in out
    assert f'resumed epoch: 1, iter: {ITERS_PER_EPOCH}' in out
    # The resumed leg trains epoch 2 only.
    assert 'Epoch(train) [2][1/4]' in out
    assert 'Epoch(train) [1][' not in out
    b2 = _load(runs['b'] / 'epoch_2.pth')
    assert b2['meta']['epoch'] == 2
    assert b2['meta']['iter'] == 2 * ITERS_PER_EPOCH


@pytest.mark.slow
def test_first_leg_matches_run_a_and_holds_optimizer_state(runs):
    # Sanity of the setup: the first epoch is bit-identical in A and B, so
    # any later difference comes from resuming.
    a1 = _load(runs['a'] / 'epoch_1.pth')
    b1 = runs['b1_ckpt']
    _assert_same_tensors(a1['state_dict'], b1['state_dict'], 'epoch 1')
    _assert_same_optimizer(a1['optimizer'], b1['optimizer'])
    # SGD momentum buffers exist and are non-trivial: restoring them matters.
    bufs = [s['momentum_buffer'] for s in b1['optimizer']['state'].values()]
    assert len(bufs) == sum(1 for _ in b1['state_dict']
                            if not _.endswith(('running_mean', 'running_var',
                                               'num_batches_tracked')))
    assert all(b.abs().sum() > 0 for b in bufs)
    # The scheduler stopped after 4 steps (iteration-based cosine).
    sched = b1['param_schedulers']
    assert len(sched) == 1 and sched[0]['last_step'] == ITERS_PER_EPOCH


@pytest.mark.slow
def test_second_epoch_identical_to_uninterrupted_run(runs):
    a, b = _scalars(runs['a']), _scalars(runs['b'])
    epoch2 = range(ITERS_PER_EPOCH + 1, 2 * ITERS_PER_EPOCH + 1)
    assert set(epoch2) <= a.keys() and set(epoch2) <= b.keys()
    # The LR at the first resumed iteration comes from the restored
    # scheduler position, not from a restarted schedule (which would give
    # the initial 0.1 again).
    first = ITERS_PER_EPOCH + 1
    assert b[first]['lr'] == a[first]['lr'] < a[1]['lr']
    for it in epoch2:
        assert b[it]['lr'] == a[it]['lr'], it
        # Equal losses need equal weights, momentum, data order and BN
        # statistics at every step of the epoch.
        assert b[it]['loss'] == a[it]['loss'], (it, a[it], b[it])


@pytest.mark.slow
def test_final_state_identical_to_uninterrupted_run(runs):
    a2 = _load(runs['a'] / 'epoch_2.pth')
    b2 = _load(runs['b'] / 'epoch_2.pth')
    _assert_same_tensors(a2['state_dict'], b2['state_dict'], 'final weights')
    _assert_same_optimizer(a2['optimizer'], b2['optimizer'])
    assert a2['param_schedulers'] == b2['param_schedulers']
    assert a2['meta']['epoch'] == b2['meta']['epoch'] == 2
    # Not vacuous: epoch 2 changed the weights.
    a1 = _load(runs['a'] / 'epoch_1.pth')
    assert any(not torch.equal(a1['state_dict'][k], a2['state_dict'][k])
               for k in a2['state_dict'])


@pytest.mark.slow
def test_plain_mmengine_load_needs_trusted_loading(runs, monkeypatch):
    """Without ``trusted_checkpoint_loading`` torch>=2.6 refuses the file."""
    from mmengine.runner.checkpoint import _load_checkpoint

    from adautomix_mm.runtime.compat import trusted_checkpoint_loading
    monkeypatch.delenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', raising=False)
    ckpt = str(runs['b'] / 'epoch_1.pth')
    torch_version = tuple(int(x) for x in torch.__version__.split('.')[:2])
    if torch_version >= (2, 6):
        with pytest.raises(Exception, match='weights_only|Unsupported global'):
            _load_checkpoint(ckpt, map_location='cpu')
    with trusted_checkpoint_loading():
        loaded = _load_checkpoint(ckpt, map_location='cpu')
    assert loaded['meta']['epoch'] == 1 and 'message_hub' in loaded
    if torch_version >= (2, 6):
        # The relaxation ends with the context.
        with pytest.raises(Exception, match='weights_only|Unsupported global'):
            _load_checkpoint(ckpt, map_location='cpu')
