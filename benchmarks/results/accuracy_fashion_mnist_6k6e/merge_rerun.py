"""Merge the rows of rerun methods into this folder's compare table.

The first runs' work dirs are not kept, so their rows are read back from
compare.csv as committed at ``--base`` (a git revision); the rows of the
methods rerun (matched on the config name's first word) are
replaced by ``tools/compare.py``'s summary of the new work dirs, in place
(only work dirs whose training finished, i.e. whose ``last_checkpoint`` is
``epoch_<--epochs>.pth``; a method without one keeps its previous row). Writes compare.csv, compare.md and curves_rerun.png (the rerun runs only)
beside this file and prints the new runs' seed-0 rows.

    python benchmarks/results/accuracy_fashion_mnist_6k6e/merge_rerun.py \
        /work/rerun_runs/fmnist_6k6e --base 40c629b
"""
import argparse
import csv
import io
import os.path as osp
import subprocess
import sys

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(osp.dirname(osp.dirname(HERE)))
sys.path[:0] = [REPO, osp.join(REPO, 'benchmarks')]

from adautomix_mm.cli.compare import (find_runs, plot_curves,  # noqa: E402
                                      summarize, to_csv, to_markdown)
from accuracy_fashion_mnist import finished  # noqa: E402

LAST_K = 3


def old_rows(base: str):
    rel = osp.relpath(osp.join(HERE, 'compare.csv'), REPO)
    text = subprocess.run(['git', '-C', REPO, 'show', f'{base}:{rel}'],
                          capture_output=True, text=True, check=True).stdout
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        row = {}
        for k, v in r.items():
            if v == '':
                continue
            try:
                row[k] = float(v) if k not in ('n', 'seeds') else v
            except ValueError:
                row[k] = v
        rows.append(row)
    return rows


def key(row) -> str:
    return row['config'].split('_')[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('runs', nargs='+', help='work dirs of the rerun methods')
    p.add_argument('--base', required=True,
                   help='git revision holding the previous compare.csv')
    p.add_argument('--epochs', type=int, default=6)
    args = p.parse_args()
    runs = [r for r in find_runs(args.runs)
            if finished(r.work_dir, args.epochs)]
    new = summarize(runs, LAST_K)
    replace = {key(r) for r in new}
    print('replaced:', ' '.join(sorted(replace)))
    rows, done = [], set()
    for r in old_rows(args.base):
        k = key(r)
        if k not in replace:
            rows.append(r)
        elif k not in done:
            rows += [n for n in new if key(n) == k]
            done.add(k)
    to_csv(rows, osp.join(HERE, 'compare.csv'))
    with open(osp.join(HERE, 'compare.md'), 'w') as f:
        f.write(to_markdown(rows, LAST_K))
    plot_curves(runs, osp.join(HERE, 'curves_rerun.png'))
    print(to_markdown(rows, LAST_K))
    seed0 = [r for r in runs if r.seed == 0]
    print('seed 0 only:\n' + to_markdown(summarize(seed0, LAST_K), LAST_K))


if __name__ == '__main__':
    main()
