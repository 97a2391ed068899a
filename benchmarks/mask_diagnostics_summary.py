"""Summarise training runs: mask diagnostics over training and final accuracy.

Reads ``<work_dir>/<timestamp>/vis_data/scalars.json`` (MMEngine's
LocalVisBackend) of each run directory given, and prints / writes JSON with,
per run: the logged ``mask_*`` scalars at every logging point, their mean
over the last epoch ("final"), and the last validation accuracies
(``accuracy_ema/top1`` and ``accuracy_online/top1`` for AdAutoMix,
``accuracy/top1`` for single-network baselines).

Usage::

    python benchmarks/mask_diagnostics_summary.py RUN_DIR [RUN_DIR ...] \
        [--out benchmarks/results/adautomix_generator_investigation.json] \
        [--markdown]

Run directories named ``<setting>_s<seed>`` are grouped by setting for the
markdown table (values per seed, separated by '/', then the mean).
"""
import argparse
import glob
import json
import os.path as osp
import re
from collections import OrderedDict
from statistics import mean

MASK_KEYS = ('mask_spatial_range', 'mask_entropy', 'mask_share_err',
             'mask_fallback_rate')
ACC_KEYS = ('accuracy_ema/top1', 'accuracy_online/top1', 'accuracy/top1')


def read_scalars(run_dir: str):
    files = sorted(glob.glob(osp.join(run_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no */vis_data/scalars.json under {run_dir}')
    with open(files[-1]) as f:  # the latest timestamp
        return [json.loads(line) for line in f if line.strip()]


def summarise(run_dir: str) -> dict:
    rows = read_scalars(run_dir)
    train = [r for r in rows if 'mask_spatial_range' in r]
    val = [r for r in rows if any(k in r for k in ACC_KEYS)]
    out = dict(run=osp.basename(osp.normpath(run_dir)))
    if train:
        last_epoch = max(r['epoch'] for r in train)
        tail = [r for r in train if r['epoch'] == last_epoch]
        out['final'] = {k: round(mean(r[k] for r in tail), 4)
                        for k in MASK_KEYS if k in tail[0]}
        out['per_epoch_spatial_range'] = [
            round(mean(r['mask_spatial_range'] for r in train
                       if r['epoch'] == e), 4)
            for e in range(1, last_epoch + 1)]
        out['history'] = [
            dict(step=r['step'], **{k: r[k] for k in MASK_KEYS if k in r})
            for r in train]
    if val:
        out['accuracy'] = {k: val[-1][k] for k in ACC_KEYS if k in val[-1]}
    return out


def markdown(results) -> str:
    groups = OrderedDict()
    for r in results:
        setting = re.sub(r'_s\d+$', '', r['run'])
        groups.setdefault(setting, []).append(r)
    cols = [('final', k, 4) for k in MASK_KEYS] + \
        [('accuracy', k, 1) for k in ACC_KEYS]
    head = ['setting', 'seeds'] + [k.replace('mask_', '') for _, k, _ in cols]
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for setting, runs in groups.items():
        cells = [setting, '/'.join(re.sub(r'.*_s', '', r['run'])
                                   for r in runs)]
        for part, key, digits in cols:
            vals = [r.get(part, {}).get(key) for r in runs]
            if any(v is None for v in vals):
                cells.append('-')
                continue
            per = '/'.join(f'{v:.{digits}f}' for v in vals)
            cells.append(per if len(vals) == 1 else
                         f'{per} (mean {mean(vals):.{digits}f})')
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines += ['', '| run | spatial range, epochs 1..E |', '|---|---|']
    for r in results:
        if 'per_epoch_spatial_range' in r:
            lines.append(f"| {r['run']} | " + ', '.join(
                f'{v:.3f}' for v in r['per_epoch_spatial_range']) + ' |')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('runs', nargs='+')
    parser.add_argument('--out', help='write the summaries as JSON here')
    parser.add_argument('--markdown', action='store_true',
                        help='also print a table grouped by setting')
    args = parser.parse_args()
    results = [summarise(r) for r in args.runs]
    for r in results:
        final = r.get('final', {})
        acc = r.get('accuracy', {})
        print(f"{r['run']:28s} "
              + ' '.join(f'{k[5:]}={v:.4f}' for k, v in final.items()) + ' '
              + ' '.join(f'{k}={v:.2f}' for k, v in acc.items()))
    if args.markdown:
        print(markdown(results))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)
            f.write('\n')


if __name__ == '__main__':
    main()
