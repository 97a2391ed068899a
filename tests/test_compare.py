"""tools/compare.py on real runs made here: a two-network AdAutoMix run and
two seeds of a single-network vanilla run, from MMEngine's own files."""
import csv
import json
import re
import statistics
import sys

import pytest

ADAUTOMIX_CFG = 'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'


def _train(e2e, cfg, work_dir, seed, log_dir):
    cmd = [sys.executable, e2e.repo_root / 'tools' / 'train.py',
           e2e.repo_root / cfg, '--work-dir', work_dir]
    cmd += e2e.cfg_options('train_cfg.max_epochs=2', f'randomness.seed={seed}')
    e2e.run_cmd(cmd, cwd=log_dir, timeout=300,
                env=e2e.make_env(omp_threads=1),
                log_file=log_dir / f'{work_dir.name}.out')


def _check_readable_log(out):
    """stdout + stderr of a 2-epoch run of the demo recipe: no warning at
    all (the demo used to print 19: pin_memory, mmcv's auto_mkdir and
    MultiScaleDeformableAttention, MMEngine's FileClient, ...)."""
    warned = [l for l in out.splitlines()
              if re.search(r'\w+Warning: | - WARNING - ', l)]
    assert warned == []
    # MMEngine's hook listing, one line (not ~500)
    assert 'Hooks will be executed' not in out
    assert 'before_train_epoch:' not in out
    assert re.search(r"Hooks \(priority order; .*\): RuntimeInfoHook "
                     r'\(VERY_HIGH\), .*MixedSampleVisualizationHook', out)
    lines = [l for l in out.splitlines() if 'Epoch(train)' in l]
    assert lines and all(re.search(
        r'data_time: [\d.]+  loss_cls: [\d.]+  loss: -?[\d.]+  '
        r'adv_phase: [01]  ', l) for l in lines), lines[0]
    assert re.search(r'Epoch 1 took \d+ s here \(training and validation\): '
                     r'about \d+ s per epoch on this machine, ~[\d.]+ min '
                     r'left for the remaining 1 epoch\.', out)
    assert re.search(r'Mixed samples \(lam=\[[\d., ]+\]; mask spatial range '
                     r'[\d.]+( \(nearly uniform masks\))?, mean \|share - '
                     r'lam\| [\d.]+\) saved to ', out)


def _val_records(work_dir, key):
    path, = work_dir.glob('*/vis_data/scalars.json')
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    return [r[key] for r in recs if key in r and 'iter' not in r]


@pytest.mark.slow
def test_compare_table_plots_and_seed_groups(e2e, tmp_path):
    runs = tmp_path / 'runs'
    runs.mkdir()
    ada = runs / 'adautomix'
    _train(e2e, ADAUTOMIX_CFG, ada, 0, tmp_path)
    _check_readable_log((tmp_path / 'adautomix.out').read_text())
    for seed in (0, 1):
        _train(e2e, e2e.vanilla_cfg, runs / f'vanilla_s{seed}', seed, tmp_path)

    out = tmp_path / 'out'
    res = e2e.run_cmd([sys.executable, e2e.repo_root / 'tools' / 'compare.py',
                       runs / 'adautomix', str(runs / 'vanilla_s*'),
                       '--last-k', '2', '--out-dir', out], cwd=tmp_path,
                      timeout=120)
    with open(out / 'compare.csv') as f:
        rows = {(r['method'], r['network']): r for r in csv.DictReader(f)}
    assert set(rows) == {('AdAutoMix', 'EMA teacher'), ('AdAutoMix', 'online'),
                         ('vanilla', 'single')}

    # each network's row holds that network's logged numbers
    for net, label in (('ema', 'EMA teacher'), ('online', 'online')):
        accs = _val_records(ada, f'accuracy_{net}/top1')
        row = rows[('AdAutoMix', label)]
        assert row['n'] == '1' and row['seeds'] == '0'
        assert float(row['top1_final']) == pytest.approx(accs[-1])
        assert float(row['top1_best']) == pytest.approx(max(accs))
        assert float(row['top1_median_last_k']) == pytest.approx(
            statistics.median(accs[-2:]))
        assert row['top1_final_std'] == ''
        assert float(row['s_per_iter']) > 0 and float(row['wall_s']) >= 0

    # two seeds of one config: one row, mean and sample std
    finals = [_val_records(runs / f'vanilla_s{s}', 'accuracy/top1')[-1]
              for s in (0, 1)]
    van = rows[('vanilla', 'single')]
    assert van['n'] == '2' and van['seeds'] == '0 1'
    assert float(van['top1_final']) == pytest.approx(statistics.fmean(finals))
    assert float(van['top1_final_std']) == pytest.approx(
        statistics.stdev(finals))
    assert 'peak_memory_mb' not in van  # CPU: MMEngine logs no memory

    table = (out / 'compare.md').read_text()
    assert table in res.stdout
    assert re.search(r'\| vanilla \| `vanilla_resnet18-w16_1xb64-5e_fmnist-embedded` \| '
                     r'single \| 2 \(0 1\) \| [\d.]+ ± [\d.]+ \|', table), table
    png = (out / 'curves.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and len(png) > 10_000

    # AdAutoMix logs the mask diagnostics (non-loss keys of its loss dict):
    # both of its rows show the last logged values; vanilla logs none.
    assert 'mask range' in table
    path, = ada.glob('*/vis_data/scalars.json')
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    last = [r for r in recs if 'mask_spatial_range' in r][-1]
    for label in ('EMA teacher', 'online'):
        for key in ('mask_spatial_range', 'mask_entropy', 'mask_share_err',
                    'mask_fallback_rate'):
            assert float(rows[('AdAutoMix', label)][key]) == pytest.approx(
                last[key], abs=1e-4), (label, key)
    assert not van.get('mask_spatial_range'), van

    # the robustness metrics on the trained checkpoint, both networks
    res = e2e.run_cmd(
        [sys.executable, e2e.repo_root / 'tools' / 'test.py',
         e2e.repo_root / ADAUTOMIX_CFG, ada / 'epoch_2.pth', '--robustness',
         '--work-dir', tmp_path / 'test'] + e2e.cfg_options(),
        cwd=tmp_path, env=e2e.make_env(omp_threads=1), timeout=300)
    line = [l for l in res.stdout.splitlines() if 'Epoch(test)' in l][-1]
    metrics = {k: float(v) for k, v in re.findall(r'(\S+): ([\d.]+)', line)}
    for net in ('ema', 'online'):
        for key in ('calibration_{}/ece', 'corruption_{}/mCA',
                    'corruption_{}/pixelate', 'occlusion_{}/mean',
                    'fgsm_{}/eps8'):
            assert key.format(net) in metrics, line
        # an empty patch is the clean test: the network's own accuracy
        assert metrics[f'occlusion_{net}/r0'] == pytest.approx(
            metrics[f'accuracy_{net}/top1'])


def test_bad_inputs_name_the_path(tmp_path):
    from adautomix_mm.cli.compare import find_runs, summarize
    with pytest.raises(FileNotFoundError, match='no such work dir'):
        find_runs([str(tmp_path / 'missing')])
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='empty'):
        find_runs([str(tmp_path / 'empty')])
    with pytest.raises(ValueError, match='last_k'):
        summarize([], last_k=0)


def test_config_groups_ignore_only_the_train_scripts_loader_defaults():
    """Seeds of one config stay one group when only one run got MMPretrain's
    train-script loader defaults (pin_memory, default_collate); a different
    collate function or batch size is another group."""
    from mmengine.config import Config

    from adautomix_mm.cli.compare import _config_key

    base = dict(model=dict(type='ImageClassifier'), randomness=dict(seed=0),
                train_dataloader=dict(batch_size=64, num_workers=0))
    key = _config_key(Config(base))
    same = Config(dict(base, randomness=dict(seed=1), train_dataloader=dict(
        base['train_dataloader'], pin_memory=True,
        collate_fn=dict(type='default_collate'))))
    assert _config_key(same) == key
    for loader in (dict(collate_fn=dict(type='pseudo_collate')),
                   dict(batch_size=32)):
        other = Config(dict(base, train_dataloader=dict(
            base['train_dataloader'], **loader)))
        assert _config_key(other) != key, loader


# ------------------------------------------------ report format (no training)
STAMP = '20261207_120000'
ITERS = 63  # iterations per epoch, named only by the log's interval lines


def _fake_work_dir(root, name, epochs, accs, extra_py=()):
    """An MMEngine work dir as a 2-network run writes it: the dumped config
    twice (same text), scalars.json with train records every 20 iterations
    (the epoch's last iteration not logged) and val records, the log."""
    work = root / name
    seg = work / STAMP
    (seg / 'vis_data').mkdir(parents=True)
    cfg = ("model = dict(type='AdAutoMix')\n"
           f"train_cfg = dict(by_epoch=True, max_epochs={epochs})\n"
           f"randomness = dict(seed=0)\nwork_dir = '{work}'\n")
    (seg / 'vis_data' / 'config.py').write_text(cfg)
    (work / f'{name}_cfg.py').write_text(cfg)
    for extra in extra_py:  # e.g. tools/export_network.py's teacher.py
        (work / extra).write_text("model = dict(type='ImageClassifier')\n")
    recs, log = [], []
    for e in range(1, epochs + 1):
        for i in range(20, ITERS + 1, 20):
            it = (e - 1) * ITERS + i
            recs.append(dict(loss=1.0, loss_cls=2.0 - it / 1000, time=0.1,
                             epoch=e, iter=it, mask_share_err=0.1))
            log.append(f'2026/12/07 12:00:{e:02d} - mmengine - INFO - '
                       f'Epoch(train) [{e}][{i:2d}/{ITERS}]  loss: 1.0')
        recs.append({'accuracy_ema/top1': accs[e - 1],
                     'accuracy_online/top1': accs[e - 1] - 1, 'step': e})
    (seg / 'vis_data' / 'scalars.json').write_text(
        '\n'.join(json.dumps(r) for r in recs) + '\n')
    (seg / f'{STAMP}.log').write_text('\n'.join(log) + '\n')
    return work


def _md_tables(text):
    """(header cells, body rows) of every table markdown-it-py finds (GFM
    tables; the library comes with rich, an MMEngine requirement)."""
    from markdown_it import MarkdownIt
    tokens = MarkdownIt('commonmark').enable('table').parse(text)
    tables, rows, cells, part = [], [], None, None
    for tok in tokens:
        if tok.type == 'table_open':
            rows = []
        elif tok.type in ('thead_open', 'tbody_open'):
            part = tok.type[:5]
        elif tok.type == 'tr_open':
            cells = []
        elif tok.type == 'inline' and cells is not None:
            cells.append(tok.content)
        elif tok.type == 'tr_close':
            rows.append((part, cells))
            cells = None
        elif tok.type == 'table_close':
            tables.append(rows)
    return tables


def test_markdown_report_is_one_table_with_run_names_and_short_medians(
        tmp_path):
    from adautomix_mm.cli.compare import main
    _fake_work_dir(tmp_path, 'long', 5, [60.0, 70.0, 72.0, 71.0, 75.0],
                   extra_py=('teacher.py', 'online.py'))
    _fake_work_dir(tmp_path, 'short', 2, [50.0, 54.0])
    table = main([str(tmp_path / 'long'), str(tmp_path / 'short'),
                  '--last-k', '5', '--out-dir', str(tmp_path / 'out')])
    assert (tmp_path / 'out' / 'compare.md').read_text() == table
    tables = _md_tables(table)
    assert len(tables) == 1, table  # a paragraph if the cells do not match
    (_, head), *body = tables[0]
    assert '|share-λ|' in head  # the escaped pipes render as text
    assert len(body) == 4 and all(len(cells) == len(head)
                                  for _, cells in body)
    col = {h: i for i, h in enumerate(head)}
    got = {(c[col['config']], c[col['network']]): c for _, c in body}
    # named by the dumped config, not by teacher.py / online.py
    assert set(got) == {(f'`{name}_cfg`', net) for name in ('long', 'short')
                        for net in ('EMA teacher', 'online')}
    median = col['top-1 median last 5']
    assert got[('`long_cfg`', 'EMA teacher')][median] == '71.00'
    # a 2-epoch run: the median of its 2 epochs, and the cell says so
    assert got[('`short_cfg`', 'EMA teacher')][median] == '52.00 (2 epochs)'
    with open(tmp_path / 'out' / 'compare.csv') as f:
        rows = {r['config']: r for r in csv.DictReader(f)}
    assert rows['short_cfg']['top1_median_epochs'] == '2'
    assert rows['long_cfg']['top1_median_epochs'] == '5'


def test_loss_curve_x_axis_is_in_epochs_and_ends_at_the_last_epoch(
        tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from adautomix_mm.cli import compare
    run = compare.load_run(str(_fake_work_dir(tmp_path, 'r', 5, [1.0] * 5)))
    assert run.iters_per_epoch == ITERS  # from the log, not the last iter
    figures = []
    monkeypatch.setattr(Figure, 'savefig',
                        lambda fig, *a, **k: figures.append(fig))
    compare.plot_curves([run], str(tmp_path / 'curves.png'))
    ax_acc, ax_loss = figures[0].axes
    assert ax_loss.get_xlim() == ax_acc.get_xlim() == (0.0, 5.0)
    x = ax_loss.lines[0].get_xdata()
    # last logged iteration 4 * 63 + 60 = 312 is epoch 312 / 63, not 5.2
    assert x[0] == pytest.approx(20 / ITERS)
    assert x[-1] == pytest.approx(312 / ITERS)
    # without the log: the smallest epoch length the records allow
    # (iteration 312 in epoch 5: at least ceil(312 / 5) = 63)
    run.iters_per_epoch = None
    assert compare.iters_per_epoch(run) == ITERS
    run.train = [r for r in run.train if r['epoch'] == 1]
    assert compare.iters_per_epoch(run) == 60  # a lower bound only
