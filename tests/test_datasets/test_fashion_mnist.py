"""Embedded Fashion-MNIST subset, its dataset class, configs and the
full-set preparation tool."""
import importlib.util
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.datasets import FashionMNIST
from mmpretrain.registry import DATASETS

from adautomix_mm.datasets import EMBEDDED_ROOT, EmbeddedFashionMNIST
from adautomix_mm.datasets import prepare
from adautomix_mm.datasets.embedded_fashion_mnist import (EMBEDDED_FILES,
                                                          read_idx)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# shared/ lies beside the checkout (CI clones with it beside too).
FULL_SOURCES = [
    osp.join(osp.dirname(REPO), 'shared', 'datasets', 'fashion-mnist'),
    '/work/shared/datasets/fashion-mnist', prepare.DEBIAN_DIR
]
FULL_SRC = next((d for d in FULL_SOURCES
                 if osp.isfile(osp.join(d, 't10k-labels-idx1-ubyte.gz'))),
                None)
needs_full = pytest.mark.skipif(FULL_SRC is None,
                                reason='full Fashion-MNIST .gz not found')
PIPELINE = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]


def load_tool(name):
    path = osp.join(REPO, 'tools', name + '.py')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmpretrain')


@pytest.mark.parametrize('split,total', [('train', 4000), ('test', 1000)])
def test_embedded_sizes_and_balance(split, total):
    ds = EmbeddedFashionMNIST(split=split)
    assert len(ds) == total
    labels = ds.get_gt_labels()
    assert np.bincount(labels, minlength=10).tolist() == [total // 10] * 10
    assert ds.metainfo['classes'] == FashionMNIST.METAINFO['classes']
    info = ds.get_data_info(0)
    assert info['img'].dtype == np.uint8 and info['img'].shape == (28, 28)
    # Real images, not blanks: Fashion-MNIST has a dark background and
    # mean intensity around 73.
    mean = np.mean([ds.get_data_info(i)['img'].mean() for i in range(200)])
    assert 50 < mean < 100


def test_embedded_through_pipeline_and_registry():
    ds = DATASETS.build(
        dict(type='EmbeddedFashionMNIST', split='train', pipeline=PIPELINE))
    assert isinstance(ds, EmbeddedFashionMNIST)
    item = ds[3]
    assert item['inputs'].shape == (1, 28, 28)
    assert item['inputs'].dtype == torch.uint8
    label = item['data_samples'].gt_label
    assert label.tolist() == [int(ds.get_data_info(3)['gt_label'])]


def test_embedded_bad_split_and_missing_root(tmp_path):
    with pytest.raises(ValueError, match="'val'"):
        EmbeddedFashionMNIST(split='val')
    missing = str(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError, match='nowhere'):
        EmbeddedFashionMNIST(split='test', data_root=missing)


def test_embedded_files_are_small():
    total = sum(
        osp.getsize(osp.join(EMBEDDED_ROOT, name))
        for img, lbl, _ in EMBEDDED_FILES.values() for name in (img, lbl))
    assert total < 3_000_000
    licence = open(osp.join(EMBEDDED_ROOT, 'LICENSE-fashion-mnist.txt')).read()
    assert 'Zalando SE' in licence and 'MIT' in licence


def test_subset_rule_and_idx_writer(tmp_path):
    tool = load_tool('make_embedded_subset')
    labels = np.concatenate([np.tile(np.arange(10)[::-1], 3), [5, 5]])
    picked = tool.balanced_indices(labels, per_class=2)
    assert picked.tolist() == list(range(20))  # first occurrences, in order
    assert np.bincount(labels[picked], minlength=10).tolist() == [2] * 10
    with pytest.raises(ValueError, match='class 0 has only 3'):
        tool.balanced_indices(labels, per_class=4)

    imgs = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path_a, path_b = str(tmp_path / 'a.gz'), str(tmp_path / 'b.gz')
    tool.write_gzip(path_a, tool.idx_bytes(imgs))
    tool.write_gzip(path_b, tool.idx_bytes(imgs))
    np.testing.assert_array_equal(read_idx(path_a, ndim=3), imgs)
    assert open(path_a, 'rb').read() == open(path_b, 'rb').read()


@needs_full
def test_shipped_subset_matches_script():
    subset = load_tool('make_embedded_subset').build_subset(FULL_SRC)
    for split, (imgs, labels) in subset.items():
        img_name, label_name, _ = EMBEDDED_FILES[split]
        shipped_imgs = read_idx(osp.join(EMBEDDED_ROOT, img_name), ndim=3)
        shipped_labels = read_idx(osp.join(EMBEDDED_ROOT, label_name), ndim=1)
        np.testing.assert_array_equal(shipped_imgs, imgs)
        np.testing.assert_array_equal(shipped_labels, labels)


@pytest.fixture(scope='module')
def prepared(tmp_path_factory):
    if FULL_SRC is None:
        pytest.skip('full Fashion-MNIST .gz not found')
    out = str(tmp_path_factory.mktemp('fmnist') / 'fashion_mnist')
    load_tool('prepare_fashion_mnist').main(['--src', FULL_SRC, '--out', out])
    return out


def test_prepare_round_trip(prepared):
    assert sorted(os.listdir(prepared)) == sorted(prepare.RAW_MD5)
    ds = FashionMNIST(data_prefix=prepared, download=False, split='test',
                      test_mode=True)
    assert len(ds) == 10000
    assert np.bincount(ds.get_gt_labels()).tolist() == [1000] * 10
    # Installing again from the raw files (not .gz) also verifies.
    checks = prepare.install_from_dir(prepared, prepared)
    assert set(checks) == set(prepare.RAW_MD5)


@pytest.mark.parametrize('name', [
    'baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist.py',
    'adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist.py',
])
def test_full_config_reads_both_splits(prepared, name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    sizes = {}
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds_cfg = cfg[key].dataset
        assert ds_cfg.type == 'FashionMNIST'
        ds_cfg.data_prefix = prepared
        sizes[key] = len(DATASETS.build(ds_cfg))
    # mmpretrain picks files by test_mode: without it val would be 60,000.
    assert sizes == dict(train_dataloader=60000, val_dataloader=10000,
                         test_dataloader=10000)


def test_prepare_errors(tmp_path, monkeypatch):
    out = str(tmp_path / 'out')
    with pytest.raises(FileNotFoundError, match='no_such_src'):
        prepare.prepare_fashion_mnist(out, src=str(tmp_path / 'no_such_src'))

    partial = tmp_path / 'partial'
    partial.mkdir()
    for name in prepare.RAW_MD5:
        (partial / name).write_bytes(b'not fashion-mnist')
    with pytest.raises(ValueError, match='md5'):
        prepare.install_from_dir(str(partial), out)
    assert not [n for n in os.listdir(out) if n.endswith('.part')]
    os.remove(partial / 't10k-labels-idx1-ubyte')
    with pytest.raises(FileNotFoundError, match='t10k-labels-idx1-ubyte'):
        prepare.install_from_dir(str(partial), out)

    monkeypatch.setattr(prepare, 'DEBIAN_DIR', str(tmp_path / 'no_debian'))
    with pytest.raises(FileNotFoundError, match='dataset-fashion-mnist'):
        prepare.prepare_fashion_mnist(out)


@pytest.mark.parametrize('name', [
    'vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'mixup/mixup_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'cutmix/cutmix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist.py',
    'mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py',
    'cutmix/cutmix_resnet18-w16_1xb64-5e_fmnist.py',
])
def test_baseline_configs(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs/baselines', name))
    head = cfg.model.head
    assert head.in_channels == 16 * 8
    augments = cfg.model.get('train_cfg', {}).get('augments')
    if augments is None:
        assert not head.loss.get('use_soft', False)
    else:
        assert isinstance(augments.alpha, float)
        assert head.loss.use_soft and head.cal_acc is False
    assert cfg.data_preprocessor.mean == [72.940]
    assert cfg.train_dataloader.batch_size == 64
    if name.endswith('-embedded.py'):
        assert cfg.train_dataloader.dataset.type == 'EmbeddedFashionMNIST'
        assert len(DATASETS.build(cfg.val_dataloader.dataset)) == 1000
