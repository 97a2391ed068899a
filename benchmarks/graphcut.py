"""Graph-cut cost of one PuzzleMix batch: per-sample GCO calls (the
reference's loop), a process pool over them (the reference's ``--mp``), and
the batched disjoint-grid graphs of ``swap_labels`` (identical labels).

The energies are PuzzleMix's own (``PuzzleMix.graphcut_masks`` inputs) for
a batch of random 3x32x32 images and saliency, per grid size. Writes
``benchmarks/results/graphcut.json``.

    python benchmarks/graphcut.py [--batch 100] [--repeats 5] [--pool 2]
"""
import argparse
import json
import multiprocessing
import os
import os.path as osp
import platform
import statistics
import time

import numpy as np
import torch

from adautomix_mm.models.saliency_mixers.puzzlemix import PuzzleMix
from adautomix_mm.models.utils import graphcut


def energies(batch, n, seed=0):
    """PuzzleMix's int32 energy terms for one batch at grid n."""
    torch.manual_seed(seed)
    mixer = PuzzleMix(block_nums=(n, ))
    captured = {}

    def capture(unary, w_v, w_h, smooth, solver='batched', chunk=16):
        captured.update(unary=unary, w_v=w_v, w_h=w_h, smooth=smooth)
        return np.zeros(unary.shape[:3], dtype=np.int32)

    original = graphcut.swap_labels
    from adautomix_mm.models.saliency_mixers import puzzlemix
    puzzlemix.swap_labels = capture
    try:
        x = torch.randn(batch, 3, 32, 32)
        sal = torch.rand(batch, 32, 32)
        mixer.graphcut_masks(x, sal, torch.randperm(batch), 0.5, n,
                             torch.full((3, ), 125.), torch.full((3, ), 60.))
    finally:
        puzzlemix.swap_labels = original
    return captured


def _one(args):
    unary, w_v, w_h, smooth = args
    import gco
    return gco.cut_grid_graph(unary, smooth, w_v, w_h, algorithm='swap')


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--batch', type=int, default=100)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--pool', type=int, default=2)
    parser.add_argument('--out', default=osp.join(
        osp.dirname(__file__), 'results', 'graphcut.json'))
    args = parser.parse_args()
    pool = multiprocessing.get_context('fork').Pool(args.pool)
    seconds = {}
    for n in (2, 4, 8, 16):
        e = energies(args.batch, n)
        terms = (e['unary'], e['w_v'], e['w_h'], e['smooth'])
        t_loop, ref = timed(lambda: graphcut.swap_labels(*terms, 'per_sample'),
                            args.repeats)
        t_batch, out = timed(lambda: graphcut.swap_labels(*terms, 'batched'),
                             args.repeats)
        jobs = [(e['unary'][i], e['w_v'][i], e['w_h'][i], e['smooth'])
                for i in range(args.batch)]
        t_pool, pooled = timed(lambda: pool.map(_one, jobs), args.repeats)
        assert (ref == out).all(), 'batched labels differ from per-sample'
        assert (ref.reshape(args.batch, -1) == np.stack(pooled)).all()
        seconds[f'grid{n}'] = dict(per_sample=t_loop, batched=t_batch,
                                   process_pool=t_pool,
                                   speedup_batched=t_loop / t_batch)
    pool.close()
    result = dict(
        what='median seconds to label one PuzzleMix batch (3 labels, alpha-'
        'beta swap); identical labels on every path',
        batch=args.batch, repeats=args.repeats, pool_processes=args.pool,
        cpus=os.cpu_count(), machine=platform.machine(), seconds=seconds)
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
