"""Bad input is refused in one line naming the key or the mismatch, and a
one-image batch (nothing to mix with) is warned about once."""
import logging

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401
from adautomix_mm.datasets.checks import (check_datasets, check_train_batch,
                                         explain_data_errors)

K = 4
HEAD = dict(type='LinearClsHead', num_classes=K, in_channels=64,
            loss=dict(type='CrossEntropyLoss', use_soft=True))
BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                base_channels=8, out_indices=(2, 3))
PRE = dict(type='ClsDataPreprocessor', num_classes=K, mean=[100.] * 3,
           std=[50.] * 3)
MIXERS = {
    'AdAutoMix': dict(type='AdAutoMix'),
    'AutoMix': dict(type='AutoMix'),
    'ManifoldMix': dict(type='ManifoldMixClassifier', alpha=1.0),
    'PuzzleMix': dict(type='SaliencyMixClassifier',
                      mixer=dict(type='PuzzleMix', block_nums=(2, ))),
    'CoMixup': dict(type='SaliencyMixClassifier',
                    mixer=dict(type='CoMixup', m_part=2)),
    'RMix': dict(type='SaliencyMixClassifier', mixer=dict(type='RMix')),
}


def build(method):
    torch.manual_seed(0)
    cfg = dict(MIXERS[method], backbone=dict(BACKBONE),
               neck=dict(type='GlobalAveragePooling'), head=dict(HEAD),
               data_preprocessor=dict(PRE))
    if method == 'ManifoldMix':
        cfg['backbone']['out_indices'] = (3, )
    model = MODELS.build(cfg)
    model.train()
    if method == 'AdAutoMix':
        model.set_game_state(False, True)
    elif method == 'AutoMix':
        model.set_schedule_state(True, 0.0)
    return model


def samples(labels):
    return [DataSample().set_gt_label(int(i)) for i in labels]


class Records(logging.Handler):

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.mark.parametrize('method', list(MIXERS))
def test_a_one_image_batch_is_warned_about_once(method):
    pytest.importorskip('gco')
    model = build(method)
    logger = MMLogger.get_current_instance()
    records = Records()
    logger.addHandler(records)
    try:
        x = torch.randn(1, 3, 16, 16)
        for _ in range(2):
            losses = model.loss(x, samples([1]))
            assert all(torch.isfinite(v).all() for k, v in losses.items()
                       if k.startswith('loss'))
    finally:
        logger.removeHandler(records)
    warned = [m for m in records.lines if 'no partner to mix with' in m]
    assert len(warned) == 1, records.lines
    assert '\n' not in warned[0] and 'batch_size >= 2' in warned[0]


@pytest.mark.parametrize('method', ['PuzzleMix', 'CoMixup'])
def test_label_outside_num_classes_names_the_key(method):
    pytest.importorskip('gco')
    model = build(method)
    with pytest.raises(ValueError, match=r'label 7 is outside \[0, 4\) of '
                       r'`head.num_classes=4` in SaliencyMixClassifier'):
        model.loss(torch.randn(3, 3, 16, 16), samples([0, 1, 7]))


@pytest.mark.parametrize('mixer, key', [
    (dict(type='PuzzleMix', alpha='1.0'), 'alpha'),
    (dict(type='PuzzleMix', t_eps='0.8'), 't_eps'),
    (dict(type='RMix', dirichlet_alpha='1'), 'dirichlet_alpha'),
])
def test_mixer_number_given_as_string_names_the_key(mixer, key):
    pytest.importorskip('gco')
    with pytest.raises(TypeError, match=f"{key} must be a number, got "
                       f"'[0-9.]+' \\(str\\)"):
        MODELS.build(mixer)


def loaders(**dataset):
    return Config(dict(train_dataloader=dict(
        batch_size=2, dataset=dict(type='RepeatDataset', times=2,
                                   dataset=dict(type='CIFAR10', **dataset)))))


def test_dataset_that_selects_no_sample_is_one_line(tmp_path):
    with pytest.raises(ValueError, match=r'train_dataloader\.dataset\.dataset'
                       r'\.indices=0 selects no sample'):
        check_datasets(loaders(indices=0))
    with pytest.raises(ValueError, match=r'indices=\[\] selects no sample'):
        check_datasets(loaders(indices=[]))
    check_datasets(loaders(indices=5))
    (tmp_path / 'meta').mkdir()
    (tmp_path / 'meta' / 'train.txt').write_text('\n')
    with pytest.raises(ValueError, match=r"ann_file='.*meta/train.txt' is "
                       r'empty'):
        check_datasets(loaders(data_root=str(tmp_path),
                               ann_file='meta/train.txt'))
    # what MMEngine raises at run time for a dataset left empty otherwise
    with pytest.raises(ValueError, match=r'a dataset has no sample .*'
                       r'train_dataloader\.dataset \(RepeatDataset\)') as info:
        with explain_data_errors(loaders()):
            raise ValueError('need at least one array to concatenate')
    assert '\n' not in str(info.value)
    with pytest.raises(ValueError, match='other'):
        with explain_data_errors(loaders()):
            raise ValueError('other')


def test_train_cli_checks_the_datasets(repo_root, tmp_path):
    from adautomix_mm.runtime.cli.train import build_train_config, parse_args
    cfg = repo_root / 'tests' / 'configs' / 'vanilla_deterministic.py'
    args = parse_args([str(cfg), '--work-dir', str(tmp_path), '--cfg-options',
                       'train_dataloader.dataset.indices=0'])
    with pytest.raises(ValueError, match=r'train_dataloader\.dataset\.indices'
                       r'=0 selects no sample'):
        build_train_config(args)


@pytest.mark.parametrize('model, method', [
    (dict(type='AdAutoMix'), 'AdAutoMix'),
    (dict(type='SaliencyMixClassifier', mixer=dict(type='PuzzleMix')),
     'PuzzleMix'),
    (dict(type='SaliencyMixClassifier', mixer=dict(type='CoMixup')),
     'CoMixup'),
    (dict(type='ImageClassifier', data_preprocessor=dict(
        batch_augments=dict(augments=[dict(type='Mixup', alpha=1.0)]))),
     'Mixup'),
    (dict(type='ImageClassifier',
          train_cfg=dict(augments=dict(type='CutMix', alpha=1.0))), 'CutMix'),
])
def test_batch_size_one_is_refused_for_every_mixing_method(model, method):
    cfg = Config(dict(model=model, train_dataloader=dict(batch_size=1)))
    with pytest.raises(ValueError, match=r'train_dataloader\.batch_size=1: '
                       f'{method} mixes each image'):
        check_train_batch(cfg)
    cfg.train_dataloader.batch_size = 2
    check_train_batch(cfg)
    # a model that does not mix trains at batch size 1
    check_train_batch(Config(dict(model=dict(type='ImageClassifier'),
                                  train_dataloader=dict(batch_size=1))))


def test_images_with_other_channels_than_the_model_is_one_line():
    conv = torch.nn.Conv2d(1, 4, 3)
    with pytest.raises(ValueError, match=r'the data have 3-channel images '
                       r"\(batch \[2, 3, 8, 8\]\) but the model's first "
                       r'convolution takes 1') as info:
        with explain_data_errors(loaders()):
            conv(torch.zeros(2, 3, 8, 8))  # torch's own error, re-worded
    assert '\n' not in str(info.value)
