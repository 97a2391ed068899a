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
    from adautomix_mm.runtime.cli.compare import find_runs, summarize
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

    from adautomix_mm.runtime.cli.compare import _config_key

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
