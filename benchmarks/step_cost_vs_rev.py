"""Step cost of this checkout's methods against the same methods at an
earlier git revision, in one run (before/after of a speed change).

For each ``--models`` entry of ``step_cost.py`` the classifier (AutoMix,
AdAutoMix) or mixer (PuzzleMix) class is also loaded from ``git show
REV:<its module>`` and built with the same config; vanilla and both
versions step in turn (round robin, the order rotated every round, the
same seed per round so that both versions draw the same grids/ratios), and
the median wall and process-CPU seconds per step and their ratios to vanilla
are written to ``--out``.

    python benchmarks/step_cost_vs_rev.py --rev e5dd22d \
        --models automix,adautomix_n2,puzzlemix --iters 20 \
        --out benchmarks/results/step_cost_vs_e5dd22d.json
"""
import argparse
import json
import os.path as osp
import platform
import statistics
import subprocess
import sys

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import step_cost as sc  # noqa: E402  (also puts the checkout on sys.path)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# model name -> (module path, class name, where the class sits in the cfg)
SOURCES = {
    'automix': ('adautomix_mm/models/classifiers/automix.py', 'AutoMix',
                'model'),
    'adautomix_n2': ('adautomix_mm/models/classifiers/adautomix.py',
                     'AdAutoMix', 'model'),
    'adautomix_n3': ('adautomix_mm/models/classifiers/adautomix.py',
                     'AdAutoMix', 'model'),
    'puzzlemix': ('adautomix_mm/models/saliency_mixers/puzzlemix.py',
                  'PuzzleMix', 'mixer'),
}


def class_at(rev, path, name):
    """``name`` from ``path`` as it was at ``rev`` (relative imports made
    absolute, not registered)."""
    src = subprocess.run(['git', '-C', ROOT, 'show', f'{rev}:{path}'],
                         check=True, capture_output=True, text=True).stdout
    package = osp.dirname(path).replace('/', '.')
    parent = package.rsplit('.', 1)[0]
    src = src.replace('from ..', f'from {parent}.').replace(
        'from .', f'from {package}.').replace('@MODELS.register_module()', '')
    namespace = {'__name__': f'at_{rev}_{name}'}
    exec(compile(src, f'{rev}:{path}', 'exec'), namespace)
    return namespace[name]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rev', required=True)
    parser.add_argument('--models', required=True)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfgs = {name: (cfg, passes) for name, cfg, passes in sc.models()}
    runs = {'vanilla': sc.build(*cfgs['vanilla'])}
    for name in args.models.split(','):
        if name not in SOURCES:
            parser.error(f'no revision loader for {name!r}; one of '
                         f'{sorted(SOURCES)}')
        path, cls_name, where = SOURCES[name]
        cfg, passes = cfgs[name]
        old = dict(cfg)
        cls = class_at(args.rev, path, cls_name)
        if where == 'model':
            old['type'] = cls
        else:
            old[where] = dict(cfg[where], type=cls)
        runs[name] = sc.build(cfg, passes)
        runs[f'{name}@{args.rev}'] = sc.build(old, passes)
    data = dict(inputs=[torch.randint(0, 255, (1, 28, 28), dtype=torch.uint8)
                        for _ in range(args.batch)],
                data_samples=[sc.DataSample().set_gt_label(i % 10)
                              for i in range(args.batch)])
    wall = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    order = list(runs)
    for step in range(args.iters + 2):
        for name in order[step % len(order):] + order[:step % len(order)]:
            torch.manual_seed(step)
            seconds, cpu_seconds = sc.one_step(*runs[name], data, step)
            if step >= 2:
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    med_w = {k: statistics.median(v) for k, v in wall.items()}
    med_c = {k: statistics.median(v) for k, v in cpu.items()}
    result = dict(
        what=f'median seconds per step, this checkout vs {args.rev}, same '
        'run; ratio to vanilla',
        model='ResNet-18 CIFAR stem, width 16, 1x28x28 input',
        batch=args.batch, iters=args.iters, threads=1,
        machine=platform.machine(), torch=torch.__version__,
        command='python ' + ' '.join(sys.argv),
        seconds=med_w,
        ratio_to_vanilla={k: v / med_w['vanilla'] for k, v in med_w.items()},
        cpu_seconds=med_c,
        cpu_ratio_to_vanilla={k: v / med_c['vanilla']
                              for k, v in med_c.items()},
        cpu_mean_ratio_to_vanilla={
            k: statistics.mean(v) / statistics.mean(cpu['vanilla'])
            for k, v in cpu.items()})
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
