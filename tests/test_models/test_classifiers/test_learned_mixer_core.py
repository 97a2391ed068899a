"""The learned mixers' shared core: class defaults are the reference
recipes' values, arguments are checked once with errors naming the key,
and the build-time probe uses the data's channels."""
import inspect
import os.path as osp

import pytest
from mmengine.config import Config
from mmpretrain.registry import MODELS

import adautomix_mm  # noqa: F401
from adautomix_mm.models.classifiers import (AdAutoMix, AutoMix,
                                             MomentumMixClassifier)

CONFIGS = osp.normpath(osp.join(osp.dirname(osp.abspath(__file__)),
                                 '..', '..', '..', 'configs'))
PARTS = ('type', 'backbone', 'neck', 'head', 'mix_head', 'mix_block',
         'data_preprocessor', 'init_cfg', '_scope_')
HEAD = dict(type='LinearClsHead', num_classes=4, in_channels=64,
            loss=dict(type='CrossEntropyLoss', use_soft=True))


def tiny(method='AdAutoMix', in_channels=3, **overrides):
    cfg = dict(type=method,
               backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                             base_channels=8, out_indices=(2, 3),
                             in_channels=in_channels),
               neck=dict(type='GlobalAveragePooling'), head=HEAD)
    cfg.update(overrides)
    return MODELS.build(cfg)


def defaults(cls):
    out = {}
    for klass in (MomentumMixClassifier, cls):
        for name, p in inspect.signature(klass.__init__).parameters.items():
            if p.default is not inspect.Parameter.empty:
                out[name] = p.default
    return out


@pytest.mark.parametrize('cls, recipe', [
    (AdAutoMix, '_base_/models/adautomix_resnet18_cifar.py'),
    (AutoMix, 'automix/automix_resnet18_1xb100-800e_cifar100.py'),
])
def test_class_defaults_are_the_reference_recipe_values(cls, recipe):
    model = Config.fromfile(osp.join(CONFIGS, recipe)).model
    got = defaults(cls)
    options = {k: v for k, v in model.items() if k not in PARTS}
    assert options, recipe
    for key, value in options.items():
        assert key in got, key
        assert got[key] == value, (key, got[key], value)
    if cls is AdAutoMix:  # the two defaults that differed from every recipe
        assert (got['lam_margin_mode'], got['online_pass_order']) == \
            ('first', 'clean_vmix_amix')


def test_constructors_take_at_most_20_arguments():
    for cls in (MomentumMixClassifier, AdAutoMix, AutoMix):
        params = [p for p in inspect.signature(cls.__init__).parameters
                  if p != 'self']
        assert len(params) <= 20, (cls.__name__, len(params))
    # pretrained (deprecated in MMPretrain: init_cfg) is not accepted
    with pytest.raises(TypeError, match='pretrained'):
        tiny(pretrained='x.pth')


@pytest.mark.parametrize('method, key, value, error', [
    ('AdAutoMix', 'teacher_momentum', '0.9', TypeError),
    ('AutoMix', 'teacher_momentum', '0.9', TypeError),
    ('AdAutoMix', 'teacher_momentum', 1.0, ValueError),
    ('AdAutoMix', 'is_random', 'yes', TypeError),
    ('AutoMix', 'alpha', '2.0', TypeError),
    ('AutoMix', 'generator_eta', 1.5, ValueError),
    ('AdAutoMix', 'teacher_momentun', 0.9, TypeError),  # a typo
])
def test_bad_values_name_the_key_at_build(method, key, value, error):
    with pytest.raises(error, match=key) as info:
        tiny(method, **{key: value})
    assert '\n' not in str(info.value)


@pytest.mark.parametrize('method', ['AdAutoMix', 'AutoMix'])
def test_backbone_input_that_does_not_match_the_data_fails_at_build(method):
    # the reported case: MobileNetV2 (3-channel stem) on the 1-channel
    # embedded Fashion-MNIST data preprocessor
    one_channel = dict(type='ClsDataPreprocessor', num_classes=4,
                       mean=[72.94], std=[90.02], to_rgb=False)
    mobilenet = dict(type='MobileNetV2', widen_factor=0.25,
                     out_indices=(3, 7))
    head = dict(HEAD, in_channels=320)
    with pytest.raises(ValueError, match=r'MobileNetV2 takes 3-channel '
                       r'images .* normalise 1 channel') as info:
        MODELS.build(dict(type=method, backbone=mobilenet, head=head,
                          neck=dict(type='GlobalAveragePooling'),
                          data_preprocessor=one_channel))
    assert '\n' not in str(info.value)
    # the probe uses the data's channels: a 1-channel backbone builds
    model = tiny(method, in_channels=1, data_preprocessor=one_channel)
    assert model.mix_feat_shape[0] == 32


def test_a_three_channel_dataset_into_a_one_channel_config_is_one_line():
    import torch
    from mmpretrain.structures import DataSample
    model = tiny('AdAutoMix', in_channels=1)
    model.set_game_state(False, True)
    samples = [DataSample().set_gt_label(i % 4) for i in range(4)]
    with pytest.raises(ValueError, match=r'ResNet_CIFAR takes 1-channel '
                       r'images .* batches have 3 channel') as info:
        model.loss(torch.zeros(4, 3, 16, 16), samples)
    assert '\n' not in str(info.value)
