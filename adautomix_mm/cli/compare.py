"""Put finished runs side by side (``tools/compare.py``, ``mim run
adautomix_mm compare``).

Reads only what MMEngine already writes into a work dir:
``<work_dir>/<timestamp>/vis_data/scalars.json`` (every logged scalar, train
and val), ``<timestamp>/vis_data/config.py`` (the dumped config, parsed without
executing it: :mod:`adautomix_mm.compat.stored_config`; ``--trust-config``
executes a file that holds more than assignments of literals) and
``<timestamp>/<timestamp>.log`` (wall time, seed). A resumed run has several
timestamp folders; their training records are joined in order.

One row per (config, evaluated network): the EMA teacher and the online
network of two-network models (``accuracy_ema/top1``,
``accuracy_online/top1``), the single network of plain classifiers
(``accuracy/top1``), or the ``EMAHook`` average when the run had that hook
(MMEngine validates the averaged weights then). Runs whose configs differ
only in the seed (``randomness``) and work dir are one group, reported as
mean ± sample std over the seeds.
"""
import argparse
import csv
import datetime as dt
import glob
import hashlib
import json
import math
import os
import os.path as osp
import re
import statistics
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

# Mask diagnostics of the learned mixers (see
# adautomix_mm/models/utils/mask_diagnostics.py): last logged value shown.
MASK_KEYS = ('mask_spatial_range', 'mask_entropy', 'mask_share_err',
             'mask_fallback_rate')
# Keys of the config that do not make two runs different experiments.
RUN_ONLY_KEYS = ('work_dir', 'randomness', 'launcher', 'load_from', 'resume',
                 'experiment_name')
TOP1 = re.compile(r'^accuracy(?:_(?P<net>\w+))?/top1$')
LOG_TIME = re.compile(r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - mmengine')
LOG_SEED = re.compile(r'^\s*seed: (\d+)\s*$', re.M)
# MMEngine's interval line names the epoch length: Epoch(train) [3][20/63]
LOG_EPOCH_LEN = re.compile(r'Epoch\(train\)\s*\[\s*\d+\]\[\s*\d+/(\d+)\]')
NETWORK_NAMES = {'ema': 'EMA teacher', 'online': 'online',
                 'ema_mix': 'EMA teacher, mix head',
                 'online_mix': 'online, mix head'}


@dataclass
class Run:
    work_dir: str
    config_name: str
    method: str
    group_key: str
    seed: Optional[int]
    ema_hook: bool
    train: List[dict] = field(default_factory=list)
    val: List[dict] = field(default_factory=list)
    wall_s: Optional[float] = None
    test: Dict[str, float] = field(default_factory=dict)
    iters_per_epoch: Optional[int] = None

    def networks(self) -> Dict[str, str]:
        """metric key -> network label, for every top-1 key logged."""
        keys = {}
        for rec in self.val:
            for k in rec:
                m = TOP1.match(k)
                if m and k not in keys:
                    net = m.group('net')
                    keys[k] = (NETWORK_NAMES.get(net, net) if net else
                               ('EMA (EMAHook)' if self.ema_hook else 'single'))
        return keys


# ------------------------------------------------------------------ reading
def _read_scalars(path: str) -> List[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _segments(work_dir: str) -> List[str]:
    """Timestamp folders holding a training segment, oldest first."""
    out = []
    for name in sorted(os.listdir(work_dir)):
        scalars = osp.join(work_dir, name, 'vis_data', 'scalars.json')
        if osp.isfile(scalars) and any(
                'loss' in r for r in _read_scalars(scalars)):
            out.append(osp.join(work_dir, name))
    return out


def last_test_metrics(work_dir: str) -> Dict[str, float]:
    """Metrics of the newest ``tools/test.py`` run into ``work_dir`` (MMEngine
    writes them to ``<timestamp>/<timestamp>.json``), or {}."""
    for name in sorted(os.listdir(work_dir), reverse=True):
        path = osp.join(work_dir, name, f'{name}.json')
        scalars = osp.join(work_dir, name, 'vis_data', 'scalars.json')
        if osp.isfile(path) and not osp.isfile(scalars):
            lines = [line for line in open(path) if line.strip()]
            if lines:
                return json.loads(lines[-1])
    return {}


def _wall_and_seed(log_path: str):
    if not osp.isfile(log_path):
        return None, None
    with open(log_path, errors='replace') as f:
        text = f.read()
    stamps = [dt.datetime.strptime(m.group(1), '%Y/%m/%d %H:%M:%S')
              for m in map(LOG_TIME.match, text.splitlines()) if m]
    wall = (stamps[-1] - stamps[0]).total_seconds() if stamps else None
    seed = LOG_SEED.search(text)
    return wall, int(seed.group(1)) if seed else None


def _iters_per_epoch(log_path: str) -> Optional[int]:
    """Training iterations per epoch, read from the log's interval lines
    (``Epoch(train) [e][i/N]``), or None."""
    if not osp.isfile(log_path):
        return None
    with open(log_path, errors='replace') as f:
        m = LOG_EPOCH_LEN.search(f.read())
    return int(m.group(1)) if m else None


def run_config_name(work_dir: str, dumped_cfg: str) -> str:
    """The run's config name: MMEngine dumps the config twice with the same
    text, as ``<work_dir>/<config name>.py`` and as ``<timestamp>/vis_data/
    config.py``; the work dir's ``.py`` file with that text names the run
    (other ``.py`` files there, e.g. an exported ``teacher.py``, do not).
    Without such a file, the only ``.py`` file there, else the work dir's
    name."""
    with open(dumped_cfg, errors='replace') as f:
        text = f.read()
    candidates = sorted(f for f in os.listdir(work_dir) if f.endswith('.py'))
    for name in candidates:
        with open(osp.join(work_dir, name), errors='replace') as f:
            if f.read() == text:
                return osp.splitext(name)[0]
    if len(candidates) == 1:
        return osp.splitext(candidates[0])[0]
    return osp.basename(osp.normpath(work_dir))


def method_name(cfg) -> str:
    """'vanilla', the batch augment ('Mixup', 'CutMix', ...), the saliency
    mixer, or the model type (AdAutoMix, AutoMix, ...)."""
    model = cfg.get('model', {})
    mtype = str(model.get('type', '?')).split('.')[-1]
    if mtype == 'ImageClassifier':
        augments = (model.get('train_cfg') or {}).get('augments')
        if not augments:
            return 'vanilla'
        augments = augments if isinstance(augments, (list, tuple)) \
            else [augments]
        return '/'.join(str(a.get('type', '?')) for a in augments)
    mixer = model.get('mixer')
    if isinstance(mixer, dict) and 'type' in mixer:
        return str(mixer['type'])
    return mtype


# Data-loader keys that MMPretrain's train script fills in when a config
# leaves them out (``merge_args``): host memory pinning, and the collate
# function that only stacks what ``pseudo_collate`` would list (the data
# preprocessor stacks a list the same way). Runs differing only in them are
# one group; any other collate function keeps its own group.
LOADER_DEFAULTS = dict(pin_memory=None,
                       collate_fn=dict(type='default_collate'))


def _without_loader_defaults(d: dict) -> dict:
    out = dict(d)
    for name, loader in d.items():
        if not (name.endswith('_dataloader') and isinstance(loader, dict)):
            continue
        loader = dict(loader)
        for key, default in LOADER_DEFAULTS.items():
            if key in loader and (default is None or loader[key] == default):
                loader.pop(key)
        out[name] = loader
    return out


def _config_key(cfg) -> str:
    d = {k: v for k, v in cfg.to_dict().items() if k not in RUN_ONLY_KEYS}
    d = _without_loader_defaults(d)
    text = json.dumps(d, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def load_run(work_dir: str, trust_config: bool = False) -> Run:
    """Read one MMEngine work dir (its dumped config is executed only with
    ``trust_config``)."""
    from adautomix_mm.compat.stored_config import load_stored_config
    segments = _segments(work_dir)
    if not segments:
        raise FileNotFoundError(
            f'{work_dir}: no <timestamp>/vis_data/scalars.json with training '
            'records (is it an MMEngine work dir of a finished or running '
            'training?)')
    cfg_path = osp.join(segments[-1], 'vis_data', 'config.py')
    if not osp.isfile(cfg_path):
        raise FileNotFoundError(f'{work_dir}: dumped config {cfg_path} missing')
    cfg = load_stored_config(path=cfg_path, trust=trust_config)
    hooks = cfg.get('custom_hooks') or []
    ema_hook = any(
        str(h.get('type', '')).split('.')[-1] == 'EMAHook' for h in hooks
        if isinstance(h, dict))
    config_name = run_config_name(work_dir, cfg_path)
    method = method_name(cfg) + (' + EMAHook' if ema_hook else '')
    run = Run(work_dir=work_dir, config_name=config_name, method=method,
              group_key=_config_key(cfg), seed=None, ema_hook=ema_hook)
    wall_total = 0.0
    for seg in segments:
        for rec in _read_scalars(osp.join(seg, 'vis_data', 'scalars.json')):
            (run.train if 'iter' in rec else run.val).append(rec)
        name = osp.basename(seg)
        wall, seed = _wall_and_seed(osp.join(seg, f'{name}.log'))
        wall_total = None if wall is None or wall_total is None \
            else wall_total + wall
        run.seed = seed if seed is not None else run.seed
        run.iters_per_epoch = _iters_per_epoch(
            osp.join(seg, f'{name}.log')) or run.iters_per_epoch
    cfg_seed = (cfg.get('randomness') or {}).get('seed')
    run.seed = cfg_seed if cfg_seed is not None else run.seed
    run.wall_s = wall_total
    run.test = last_test_metrics(work_dir)
    # A resumed segment repeats nothing, but keep the last record per step.
    run.train = list({r['iter']: r for r in run.train}.values())
    run.val = list({r['step']: r for r in run.val}.values())
    return run


def _work_dirs_below(root: str) -> List[str]:
    """Work dirs at any depth under ``root`` (not descending into one)."""
    found = []
    for dirpath, dirnames, _ in os.walk(root):
        dirnames.sort()
        if dirpath != root and _segments(dirpath):
            found.append(dirpath)
            dirnames[:] = []
    return found


def find_runs(paths: Sequence[str], trust_config: bool = False) -> List[Run]:
    """Work dirs given directly or by glob; a folder that is not a work dir
    is searched for work dirs at any depth (e.g. ``method/seedN``)."""
    dirs = []
    for p in paths:
        matches = sorted(glob.glob(p)) or [p]
        for m in matches:
            if not osp.isdir(m):
                raise FileNotFoundError(f'no such work dir: {m!r}')
            if _segments(m):
                dirs.append(m)
                continue
            subs = _work_dirs_below(m)
            if not subs:
                raise FileNotFoundError(
                    f'{m}: neither an MMEngine work dir nor a folder of them')
            dirs.extend(subs)
    return [load_run(d, trust_config) for d in dict.fromkeys(dirs)]


# ------------------------------------------------------------------ summary
def run_row(run: Run, key: str, last_k: int) -> dict:
    accs = [r[key] for r in run.val if key in r]
    times = [r['time'] for r in run.train if 'time' in r]
    memory = [r['memory'] for r in run.train if 'memory' in r]
    row = dict(
        top1_final=accs[-1] if accs else math.nan,
        top1_median_last_k=statistics.median(accs[-last_k:])
        if accs else math.nan,
        # epochs the median used: fewer than last_k on a shorter run
        top1_median_epochs=min(last_k, len(accs)),
        top1_best=max(accs) if accs else math.nan,
        s_per_iter=statistics.median(times) if times else math.nan,
        peak_memory_mb=max(memory) if memory else math.nan,
        wall_s=run.wall_s if run.wall_s is not None else math.nan,
    )
    for k in MASK_KEYS:
        vals = [r[k] for r in run.train if k in r]
        if vals:
            row[k] = vals[-1]
    row.update(test_metrics(run, TOP1.match(key).group('net')))
    return row


def test_metrics(run: Run, net: Optional[str]) -> Dict[str, float]:
    """The network's numbers from the newest test run in the work dir
    (``tools/test.py CFG CKPT --work-dir WORK_DIR [--robustness]``)."""
    sfx = f'_{net}' if net else ''
    names = (('test_top1', f'accuracy{sfx}/top1'),
             ('ece', f'calibration{sfx}/ece'), ('mca', f'corruption{sfx}/mCA'),
             ('occlusion_mean', f'occlusion{sfx}/mean'))
    out = {name: run.test[k] for name, k in names if k in run.test}
    for k, v in run.test.items():
        m = re.match(rf'^fgsm{sfx}/eps([\d.]+)$', k)
        if m:
            out[f'fgsm_eps{m.group(1)}'] = v
    return out


NUMERIC = ('top1_final', 'top1_median_last_k', 'top1_best', 's_per_iter',
           'peak_memory_mb', 'wall_s') + MASK_KEYS + (
               'test_top1', 'ece', 'mca', 'occlusion_mean')


def numeric_keys(rows: Sequence[dict]) -> List[str]:
    """NUMERIC, then FGSM columns by increasing epsilon."""
    fgsm = {k for r in rows for k in r
            if k.startswith('fgsm_eps') and not k.endswith('_std')}
    return list(NUMERIC) + sorted(fgsm, key=lambda k: float(k[8:]))


def summarize(runs: Sequence[Run], last_k: int = 5) -> List[dict]:
    """One row per (config group, network): mean and std over seeds."""
    if last_k < 1:
        raise ValueError(f'last_k must be >= 1, got {last_k}')
    groups: Dict[tuple, List[tuple]] = {}
    for run in runs:
        nets = run.networks()
        if not nets:
            raise ValueError(f'{run.work_dir}: no accuracy*/top1 was logged '
                             '(no validation ran?)')
        for key, label in nets.items():
            groups.setdefault((run.group_key, key), []).append(
                (run, label, run_row(run, key, last_k)))
    rows = []
    for (_, key), members in groups.items():
        run0, label, _ = members[0]
        row = dict(method=run0.method, config=run0.config_name,
                   network=label, n=len(members),
                   seeds=' '.join(str(r.seed) for r, _, _ in members),
                   work_dirs=' '.join(r.work_dir for r, _, _ in members),
                   top1_median_epochs=min(m[2]['top1_median_epochs']
                                          for m in members))
        for k in numeric_keys([m[2] for m in members]):
            vals = [m[2][k] for m in members
                    if k in m[2] and not math.isnan(m[2][k])]
            if vals:
                row[k] = statistics.fmean(vals)
                row[k + '_std'] = statistics.stdev(vals) \
                    if len(vals) > 1 else math.nan
        rows.append(row)
    return rows


# ------------------------------------------------------------------ output
COLUMNS = (('top1_final', 'top-1 final', 2), ('top1_median_last_k',
                                               'top-1 median last {k}', 2),
           ('top1_best', 'top-1 best', 2), ('s_per_iter', 's/iter', 3),
           ('peak_memory_mb', 'peak mem (MB)', 0), ('wall_s', 'wall (s)', 0),
           ('mask_spatial_range', 'mask range', 3), ('mask_entropy',
                                                     'mask entropy', 3),
           ('mask_share_err', '|share-λ|', 3), ('mask_fallback_rate',
                                                'fallback rate', 3))


def _fmt(row: dict, key: str, digits: int, last_k: int = 5) -> str:
    if key not in row:
        return '–'
    mean, std = row[key], row.get(key + '_std', math.nan)
    text = f'{mean:.{digits}f}'
    text = text if math.isnan(std) else f'{text} ± {std:.{digits}f}'
    used = row.get('top1_median_epochs', last_k)
    if key == 'top1_median_last_k' and used < last_k:
        text += f' ({used} epochs)'  # a run shorter than last_k epochs
    return text


def _md_cell(text: str) -> str:
    """A Markdown table cell: a literal pipe is escaped (GFM)."""
    return str(text).replace('|', '\\|')


def _present(rows, key):
    return any(key in r for r in rows)


TEST_COLUMNS = (('test_top1', 'test top-1', 2), ('ece', 'ECE (%)', 2),
                ('mca', 'corruption mCA', 2), ('occlusion_mean',
                                               'occlusion mean', 2))


def to_markdown(rows: Sequence[dict], last_k: int = 5) -> str:
    cols = [c for c in COLUMNS
            if c[0] not in MASK_KEYS or _present(rows, c[0])]
    cols += [c for c in TEST_COLUMNS if _present(rows, c[0])]
    cols += [(k, f'FGSM ε={k[8:]}', 2) for k in numeric_keys(rows)
             if k.startswith('fgsm_eps') and _present(rows, k)]
    head = ['method', 'config', 'network', 'seeds'] + \
        [c[1].format(k=last_k) for c in cols]
    lines = ['| ' + ' | '.join(map(_md_cell, head)) + ' |',
             '|' + '|'.join('---' for _ in head) + '|']
    for r in rows:
        cells = [r['method'], f'`{r["config"]}`', r['network'],
                 f'{r["n"]} ({r["seeds"]})'] + [_fmt(r, c[0], c[2], last_k)
                                                 for c in cols]
        lines.append('| ' + ' | '.join(map(_md_cell, cells)) + ' |')
    return '\n'.join(lines) + '\n'


def to_csv(rows: Sequence[dict], path: str) -> None:
    keys = ['method', 'config', 'network', 'n', 'seeds']
    for k in numeric_keys(rows):
        if _present(rows, k):
            keys += [k, k + '_std']
        if k == 'top1_median_last_k':
            keys.append('top1_median_epochs')
    keys.append('work_dirs')
    with open(path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=keys, extrasaction='ignore')
        writer.writeheader()
        for r in rows:
            writer.writerow({
                k: '' if isinstance(r.get(k), float) and math.isnan(r[k])
                else r.get(k, '')
                for k in keys
            })


def _mean_curve(curves: List[Dict[float, float]]):
    """Steps logged by every run, with mean and std over the runs."""
    steps = sorted(set.intersection(*(set(c) for c in curves)))
    mean = [statistics.fmean(c[x] for c in curves) for x in steps]
    std = [statistics.stdev([c[x] for c in curves]) if len(curves) > 1
           else 0.0 for x in steps]
    return steps, mean, std


def train_loss_key(run: Run) -> str:
    """The classifier's training loss: ``loss_cls`` for the learned mixers
    (their headline ``loss`` also holds the generator's objective, whose
    sign alternates in AdAutoMix), ``loss`` for single classifiers."""
    return 'loss_cls' if any('loss_cls' in r for r in run.train) else 'loss'


def iters_per_epoch(run: Run) -> int:
    """Training iterations per epoch: from the log (``[e][i/N]``), else
    the smallest length the logged (epoch, iter) pairs allow (exact when an
    epoch's last iteration was logged)."""
    if run.iters_per_epoch:
        return run.iters_per_epoch
    return max((math.ceil(r['iter'] / r['epoch']) for r in run.train
                if r.get('epoch')), default=1)


def plot_curves(runs: Sequence[Run], path: str) -> None:
    """Validation top-1 (left) and training loss (right), one colour per
    config group and one line style per network: the mean over the group's
    seeds, shaded ± std when there are several."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(13, 4.5))
    groups: Dict[str, List[Run]] = {}
    for run in runs:
        groups.setdefault(run.group_key, []).append(run)
    styles = ['-', '--', ':', '-.']
    last_epoch = 1
    for g, members in enumerate(groups.values()):
        colour = f'C{g % 10}'
        head = members[0]
        seeds = f' ({len(members)} seeds)' if len(members) > 1 else ''
        for i, (key, label) in enumerate(head.networks().items()):
            curves = [{r['step']: r[key] for r in run.val if key in r}
                      for run in members]
            x, mean, std = _mean_curve(curves)
            ax_acc.plot(x, mean, styles[i % 4], color=colour, marker='.',
                        label=f'{head.method} ({label}){seeds}')
            if len(members) > 1:
                ax_acc.fill_between(x, [m - s for m, s in zip(mean, std)],
                                    [m + s for m, s in zip(mean, std)],
                                    color=colour, alpha=0.15)
        curves = []
        for run in members:
            per_epoch = iters_per_epoch(run)
            key = train_loss_key(run)
            curves.append({r['iter'] / per_epoch: r[key]
                           for r in run.train if key in r})
            last_epoch = max([last_epoch] + [r['step'] for r in run.val] +
                             [r['epoch'] for r in run.train if 'epoch' in r])
        x, mean, _ = _mean_curve(curves)
        if x:
            ax_loss.plot(x, mean, color=colour, lw=1,
                         label=f'{head.method}{seeds}')
    ax_acc.set(xlabel='epoch (validation step)', ylabel='top-1 (%)',
               title='validation accuracy')
    ax_loss.set(xlabel='epoch (iteration / iterations per epoch)',
                ylabel='classifier loss',
                title='training loss (loss_cls where logged, else loss)')
    for ax in (ax_acc, ax_loss):
        ax.set_xlim(0, last_epoch)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Compare MMEngine runs: one table (Markdown, CSV) and '
        'accuracy/loss curves (PNG)')
    parser.add_argument(
        'runs', nargs='+',
        help='work dirs, globs of them (quote the glob), or folders of them')
    parser.add_argument(
        '--trust-config', action='store_true',
        help='execute a dumped config (<timestamp>/vis_data/config.py) that '
        'holds more than assignments of literals; by default it is parsed '
        'without running anything and such a file is refused')
    parser.add_argument('--last-k', type=int, default=5,
                        help='epochs in the "median of the last k" column')
    parser.add_argument(
        '--out-dir',
        help='write compare.md, compare.csv and curves.png here (the '
        'Markdown table is always printed)')
    return parser.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    runs = find_runs(args.runs, args.trust_config)
    rows = summarize(runs, args.last_k)
    table = to_markdown(rows, args.last_k)
    print(table)
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        with open(osp.join(args.out_dir, 'compare.md'), 'w') as f:
            f.write(table)
        to_csv(rows, osp.join(args.out_dir, 'compare.csv'))
        plot_curves(runs, osp.join(args.out_dir, 'curves.png'))
    return table


if __name__ == '__main__':
    main()
