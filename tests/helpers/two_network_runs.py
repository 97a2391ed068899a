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
