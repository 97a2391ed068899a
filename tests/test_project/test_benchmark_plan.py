"""The Fashion-MNIST accuracy benchmark's run plan (no training).

benchmarks/accuracy_fashion_mnist.py must cover every method with an existing
full-Fashion-MNIST config, give every method the same budget options, run an
EMAHook twin of each single-network method only, and default to the budget
its committed results were measured at (6k train, 6 epochs, 5k test).
"""
import os.path as osp
from pathlib import Path

import pytest
from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
from conftest import load_file  # noqa: E402


def _bench():
    return load_file(REPO_ROOT / 'benchmarks' / 'accuracy_fashion_mnist.py')


def test_methods_cover_every_method_with_a_config():
    bench = _bench()
    names = [m.name for m in bench.METHODS]
    assert len(set(names)) == len(names)
    assert set(names) >= {
        'vanilla', 'mixup', 'cutmix', 'adautomix', 'automix', 'fmix',
        'gridmix', 'resizemix', 'saliencymix', 'rmix', 'puzzlemix', 'comixup'}
    for m in bench.METHODS:
        assert osp.isfile(REPO_ROOT / m.config), m.config
        # full Fashion-MNIST siblings, not the embedded subset
        assert m.config.endswith('_resnet18-w16_1xb64-5e_fmnist.py'), m.config
    assert {m.name for m in bench.METHODS if m.two_networks} == {
        'adautomix', 'automix'}


def test_default_budget_is_the_one_run():
    args = _bench().parse_args([])
    assert (args.train_size, args.epochs, args.val_size, args.seeds) == \
        (6000, 6, 5000, [0, 1, 2])


@pytest.mark.parametrize('ema', [True, False])
def test_plan_same_budget_and_emahook_twins(tmp_path, ema):
    bench = _bench()
    b = bench.Budget(6000, 6, 64, 5000, 0)
    methods = [m for m in bench.METHODS
               if m.name in ('rmix', 'comixup', 'adautomix')]
    runs = bench.plan(methods, [0, 1], b, '/data', ema, str(tmp_path))
    names = [name for name, _, _ in runs]
    expected = {'rmix/seed0', 'rmix/seed1', 'comixup/seed0', 'comixup/seed1',
                'adautomix/seed0', 'adautomix/seed1'}
    if ema:
        expected |= {'rmix_emahook/seed0', 'rmix_emahook/seed1',
                     'comixup_emahook/seed0', 'comixup_emahook/seed1'}
    assert sorted(names) == sorted(expected)
    budget = set(bench.budget_options(b, '/data'))
    for name, cfg, opts in runs:
        assert budget <= set(opts), name
        assert 'train_dataloader.dataset.indices=6000' in opts
        assert 'val_dataloader.dataset.indices=5000' in opts
        assert opts[-1] == f"randomness.seed={name.rsplit('seed', 1)[1]}"
        if name.startswith('adautomix'):
            assert any(o.startswith('model.teacher_momentum=') for o in opts)
        if '_emahook' in name:
            hooks = Config.fromfile(cfg).custom_hooks
            assert [h['type'] for h in hooks][-1] == 'EMAHook'


def test_full_test_split_when_val_size_is_zero():
    bench = _bench()
    opts = bench.budget_options(bench.Budget(6000, 6, 64, 0, 0), '/data')
    assert not any(o.startswith('val_dataloader.dataset.indices')
                   for o in opts)
