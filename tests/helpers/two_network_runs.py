"""Shared by the AdAutoMix and AutoMix end-to-end DDP/resume tests: the
command-line options and environment of their runs (the dump hook of
``tests/helpers/ddp_state_dump.py`` added from the command line), and reading
back what the runs wrote."""
import json

import torch

# Parameter groups of a two-network classifier's state dict. The neck
# (global average pooling) has no parameters.
ONLINE = ('backbone.', 'head.', 'mix_head.')
TEACHER = ('teacher.module.', )
MIX_BLOCK = ('mix_block.', )


def common_options():
    return (
        'val_dataloader.dataset.indices=128',
        'default_hooks.logger.interval=1',
        'randomness.seed=0',
        'default_hooks.rank_state_dump.type=ddp_state_dump.RankStateDumpHook',
    )


def run_env(e2e):
    # The dump hook's dotted type is resolved from PYTHONPATH.
    return e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                        omp_threads=1)


def scalars(work_dir, key):
    """``{iter: record}`` of the training iterations logged in ``work_dir``
    (``vis_data/scalars.json``, one record per iteration at interval 1),
    recognised by the scalar ``key`` that only training records carry."""
    records = {}
    paths = sorted(work_dir.glob('*/vis_data/scalars.json'))
    assert paths, f'no scalars.json under {work_dir}'
    for path in paths:
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            if key in rec:
                records[rec['iter']] = rec
    return records


def load(path):
    # Checkpoints written by these tests: trusted, a full load is fine.
    return torch.load(path, map_location='cpu', weights_only=False)


def select(state, prefixes):
    return {k: v for k, v in state.items() if k.startswith(prefixes)}


def differing(a, b):
    assert a.keys() == b.keys(), sorted(set(a) ^ set(b))
    return [k for k in a if not torch.equal(a[k], b[k])]


def check_resumed_teacher(a, b, iters_per_epoch, epochs):
    """Run ``b`` resumed run ``a``'s ``epoch_1.pth``: the state it loaded
    (``rank0_init.pth``, dumped before training) is that checkpoint, buffers
    included (the teacher's BN statistics and EMA step count), and is not the
    freshly initialised teacher; the EMA step count then went on as in the
    uninterrupted run and epoch 2 moved the teacher. Returns the checkpoint
    and the loaded dump for method-specific checks."""
    saved = load(a / 'epoch_1.pth')['state_dict']
    loaded = torch.load(b / 'rank0_init.pth', map_location='cpu',
                        weights_only=True)
    assert loaded['iter'] == iters_per_epoch
    # (The data preprocessor's mean/std are non-persistent buffers, not in
    # checkpoints.)
    state = dict(loaded['params'], **loaded['buffers'])
    assert 'teacher.steps' in saved
    assert any(k.startswith('teacher.module.') and k.endswith('running_mean')
               for k in saved)
    assert set(saved) <= set(state), sorted(set(saved) - set(state))
    assert differing({k: state[k] for k in saved}, saved) == []
    # Not vacuous: run A dumped the fresh teacher (same seed) before training.
    fresh = torch.load(a / 'rank0_init.pth', map_location='cpu',
                       weights_only=True)
    fresh_teacher = select(fresh['params'], TEACHER)
    assert len(differing(fresh_teacher,
                         {k: saved[k] for k in fresh_teacher})) == \
        len(fresh_teacher)
    # EMA step count: 1 at the start, +1 per iteration.
    assert saved['teacher.steps'].item() == 1 + iters_per_epoch
    a_end = load(a / 'epoch_2.pth')['state_dict']
    b_end = load(b / 'epoch_2.pth')['state_dict']
    assert b_end['teacher.steps'].item() == a_end['teacher.steps'].item() \
        == 1 + epochs * iters_per_epoch
    teacher_params = select(loaded['params'], TEACHER)
    assert differing({k: b_end[k] for k in teacher_params}, teacher_params)
    return saved, loaded


def train_two_ranks(e2e, cfg_rel, work_dir, cwd, torchrun_exe, timeout):
    """One epoch of ``cfg_rel`` on 256 images with ``tools/train.py`` under
    2-process torchrun (gloo): 256 images / 2 ranks / batch 64 = 2
    iterations per rank. Checks that it ran distributed and returns the
    training log."""
    cmd = torchrun_exe + [
        '--nproc_per_node=2', f'--master_port={e2e.free_port()}',
        e2e.repo_root / 'tools' / 'train.py', e2e.repo_root / cfg_rel,
        '--launcher', 'pytorch', '--work-dir', work_dir,
    ] + e2e.cfg_options(
        'train_dataloader.dataset.indices=256',
        'train_cfg.max_epochs=1',
        *common_options(), base=())
    e2e.run_cmd(cmd, env=run_env(e2e), cwd=cwd, timeout=timeout,
                log_file=cwd / 'torchrun.out')
    log = e2e.train_log(work_dir)
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'Epoch(train) [1][2/2]' in log
    return log
