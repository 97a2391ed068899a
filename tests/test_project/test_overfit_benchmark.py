"""benchmarks/overfit_fashion_mnist.py: the over-fitting-regime protocol's
plan (class-balanced subset, order, budget options, generated configs), its
resume/skip decisions, and one end-to-end smoke run of the driver on tiny
synthetic IDX files (one training subprocess)."""
import json
import struct

import numpy as np
import pytest
from mmengine.config import Config

from conftest import REPO_ROOT, load_file


def _driver():
    return load_file(REPO_ROOT / 'benchmarks' / 'overfit_fashion_mnist.py')


def _write_idx(root, prefix, labels, seed=0):
    """Uncompressed IDX files as mmpretrain's FashionMNIST reads them."""
    labels = np.asarray(labels, dtype=np.uint8)
    images = np.random.default_rng(seed).integers(
        0, 256, (len(labels), 28, 28), dtype=np.uint8)
    root.mkdir(parents=True, exist_ok=True)
    (root / f'{prefix}-labels-idx1-ubyte').write_bytes(
        struct.pack('>II', 2049, len(labels)) + labels.tobytes())
    (root / f'{prefix}-images-idx3-ubyte').write_bytes(
        struct.pack('>IIII', 2051, len(labels), 28, 28) + images.tobytes())


def test_balanced_indices_take_the_first_of_each_class(tmp_path):
    drv = _driver()
    # class c at positions where labels == c, file order
    labels = [3, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 0, 1, 2, 4, 5, 6, 7, 8,
              3]
    _write_idx(tmp_path, 'train', labels)
    # 2 per class: 0 -> 1, 2; 1 -> 3, 14; 2 -> 4, 15; 3 -> 0, 5; 4 -> 6, 16;
    # 5 -> 7, 17; 6 -> 8, 18; 7 -> 9, 19; 8 -> 10, 20; 9 -> 11, 12
    assert drv.balanced_indices(str(tmp_path), 2) == \
        list(range(0, 13)) + list(range(14, 21))  # 13: a third class 0
    assert drv.balanced_indices(str(tmp_path), 1) == [0, 1, 3, 4, 6, 7, 8, 9,
                                                      10, 11]
    with pytest.raises(ValueError, match='fewer than 3'):
        drv.balanced_indices(str(tmp_path), 3)


def test_headline_plan_order_budget_and_configs(tmp_path):
    drv = _driver()
    data = tmp_path / 'data'
    _write_idx(data, 'train', np.arange(6000) % 10)
    p = drv.PROTOCOLS['fmnist_1k28bal_b32_128e']
    assert p.budget().iters == 5120 and p.budget().train_size == 1280
    runs = drv.plan('fmnist_1k28bal_b32_128e', p, str(data),
                    str(tmp_path / 'w'))
    names = [r.name for r in runs]
    # vanilla proves the regime, AdAutoMix next; seed-major
    assert names[:2] == ['vanilla/seed0', 'adautomix/seed0']
    assert names[6] == 'vanilla_emahook/seed0' and len(names) == 21
    assert [n.rsplit('seed', 1)[1] for n in names] == \
        ['0'] * 7 + ['1'] * 7 + ['2'] * 7
    by_name = {r.name: r for r in runs}
    opts = by_name['adautomix/seed1'].options
    assert 'train_cfg.max_epochs=128' in opts
    assert 'train_cfg.val_interval=8' in opts
    assert not any(o.startswith('val_dataloader.dataset.indices')
                   for o in opts)  # all 10,000 test images
    assert 'train_dataloader.batch_size=32' in opts
    assert opts[-1] == 'randomness.seed=1'
    assert 'model.teacher_momentum=0.99082' in opts  # 1 - 47 / 5120
    # AdAutoMix at the official code's settings, no other method touched
    assert {'model.lam_margin_mode=first',
            'model.online_pass_order=clean_vmix_amix'} <= set(opts)
    assert not any('lam_margin_mode' in o
                   for o in by_name['automix/seed1'].options)
    cfg = Config.fromfile(by_name['vanilla_emahook/seed0'].config)
    indices = cfg.train_dataloader.dataset.indices
    assert len(indices) == 1280 and indices[:3] == [0, 1, 2]
    assert [h['type'] for h in cfg.custom_hooks] == [
        'EMAHook', 'TrainSubsetAccuracyHook']
    assert 'benchmarks.train_subset_accuracy' in cfg.custom_imports.imports
    hooks = Config.fromfile(by_name['adautomix/seed0'].config).custom_hooks
    assert hooks[0]['type'] == 'AdversarialOptimizerHook'  # custom_hooks.0
    # an investigation variant: its base method's options plus its own
    (floor, ) = drv.plan('fmnist_1k28bal_b32_128e', p, str(data),
                         str(tmp_path / 'w'), ['adautomix_lrfloor'])[:1]
    assert floor.options[-3:] == ['model.online_pass_order=clean_vmix_amix',
                                  'param_scheduler.eta_min=0.05',
                                  'randomness.seed=0']
    assert floor.work_dir.endswith('adautomix_lrfloor/seed0')
    with pytest.raises(ValueError, match='unknown methods'):
        drv.plan('fmnist_1k28bal_b32_128e', p, str(data), str(tmp_path / 'w'),
                 ['nomix'])


def test_resume_only_from_an_existing_checkpoint(tmp_path):
    drv = _driver()
    run = drv.Run('vanilla/seed0', 'vanilla', 'cfg.py', ['a=1'],
                  str(tmp_path))
    assert '--resume' not in drv.train_command(run)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_3.pth'))
    assert '--resume' not in drv.train_command(run)  # file gone
    (tmp_path / 'epoch_3.pth').write_bytes(b'')
    cmd = drv.train_command(run)
    assert cmd[cmd.index('--resume') + 1] == '--cfg-options'
    assert not drv.finished(str(tmp_path), 64)
    assert drv.finished(str(tmp_path), 3)


def test_smoke_run_copies_results_and_skips_finished(tmp_path):
    drv = _driver()
    data = tmp_path / 'data'
    _write_idx(data, 'train', np.arange(50) % 10)
    _write_idx(data, 't10k', np.arange(32) % 10, seed=1)
    args = ['--protocol', 'smoke', '--data-root', str(data), '--work-root',
            str(tmp_path / 'w'), '--results-dir', str(tmp_path / 'r'),
            '--poll', '0.5']
    assert drv.main(args) == ['vanilla/seed0']
    run = tmp_path / 'r' / 'runs' / 'vanilla' / 'seed0'
    (scalars, ) = run.glob('*/vis_data/scalars.json')
    val = [json.loads(line) for line in scalars.read_text().splitlines()
           if 'accuracy/top1' in line]
    # the train-subset accuracy beside the test accuracy at its interval (2)
    # only, not repeated from an earlier epoch
    assert [r['step'] for r in val] == [1, 2]
    assert ['train_subset_accuracy/top1' in r for r in val] == [False, True]
    # the dumped config once, with its segment (not again from the work dir)
    assert len(list(run.glob('*/vis_data/config.py'))) == 1
    assert not (run / 'vanilla.py').exists()
    segments = json.loads((run / 'driver_segments.json').read_text())
    assert segments[-1]['rc'] == 0 and segments[-1]['cpu_s'] > 0
    summary = (tmp_path / 'r' / 'summary.md').read_text()
    assert '| vanilla/seed0 | finished, copied |' in summary
    assert '| vanilla | `vanilla` | single | 1 (0) |' in summary
    gap = (tmp_path / 'r' / 'gap.csv').read_text().splitlines()
    assert len(gap) == 2 and gap[1].startswith('vanilla,single,')
    assert drv.main(args) == []  # finished: not trained again


def test_gpu_check_smoke_on_cpu(tmp_path):
    """benchmarks/gpu_check.py's plumbing (recipes, synthetic data, runner,
    ratios, results files) in its CPU smoke mode; AMP needs a GPU."""
    gpu_check = load_file(REPO_ROOT / 'benchmarks' / 'gpu_check.py')
    names = list(gpu_check.recipes())
    assert names[0] == 'vanilla' and {'adautomix', 'automix', 'mixup',
                                      'cutmix', 'puzzlemix'} <= set(names)
    out = tmp_path / 'gpu_check.json'
    result = gpu_check.main(['--smoke', '--methods', 'mixup', '--out',
                             str(out)])
    (rows, ) = result['runs'].values()
    assert list(rows) == ['vanilla', 'mixup']  # vanilla added first
    assert rows['vanilla']['ratio_to_vanilla'] == 1.0
    assert rows['mixup']['steps'] == 2 and 'error' not in rows['mixup']
    assert rows['mixup']['ratio_to_vanilla'] == pytest.approx(
        rows['mixup']['s_per_step'] / rows['vanilla']['s_per_step'],
        abs=1e-3)
    assert json.loads(out.read_text())['runs'] == result['runs']
    assert '| mixup | 2 |' in (tmp_path / 'gpu_check.md').read_text()
