"""FMix / SaliencyMix / GridMix / ResizeMix / Co-Mixup configs: one per
dataset/backbone of ``configs/baselines/mixup/``, each differing from its
Mixup sibling only in the method block, with the published alpha; the batch
mixers build into a plain ImageClassifier's data preprocessor."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

import adautomix_mm  # noqa: F401
from adautomix_mm.models.augments import (FMix, GridMix, PaperResizeMix,
                                          SaliencyMix)
from mmpretrain.registry import MODELS
from recipes import load_recipe

CONFIG_ROOT = Path(__file__).resolve().parents[1] / 'configs' / 'baselines'
SIBLINGS = sorted(p.name[len('mixup_'):]
                  for p in (CONFIG_ROOT / 'mixup').glob('mixup_*.py'))
BATCH_MIXERS = {'fmix': FMix, 'saliencymix': SaliencyMix,
                'gridmix': GridMix, 'resizemix': PaperResizeMix}
METHODS = sorted(BATCH_MIXERS) + ['comixup']

# Published alpha (OpenMixup benchmarks: Mixup_cifar.md, Mixup_imagenet.md
# incl. Tiny-ImageNet, Mixup_downstream.md); where a dataset is not in the
# tables the config says which value it uses instead.
_CIFAR = dict(fmix=0.2, saliencymix=0.2, gridmix=0.2, resizemix=1.0,
              comixup=2.0)
_TINY = dict(fmix=1.0, saliencymix=1.0, gridmix=0.2, resizemix=1.0,
             comixup=2.0)
_IN_R18 = dict(fmix=0.2, saliencymix=0.2, gridmix=0.2, resizemix=0.2,
               comixup=2.0)
_IN = dict(fmix=1.0, saliencymix=1.0, gridmix=0.2, resizemix=1.0,
           comixup=2.0)
_FINE = dict(fmix=0.2, saliencymix=0.2, gridmix=0.2, resizemix=1.0,
             comixup=2.0)
# Swin-T / ConvNeXt-T on CIFAR-100: the published tables give only MixUp and
# CutMix for this recipe; the others take the CIFAR-100 ResNet values.
_VIT = dict(_CIFAR)
ALPHA = {
    'resnet18_1xb100-800e_cifar100.py': _CIFAR, 'resnext50-32x4d_1xb100-800e_cifar100.py': _CIFAR,
    'resnet18-w16_1xb64-5e_fmnist.py': _CIFAR, 'resnet18-w16_1xb64-5e_fmnist-embedded.py': _CIFAR,
    'resnet18_1xb100-400e_tinyimagenet.py': _TINY, 'resnet18_4xb64-100e_in1k.py': _IN_R18,
    'resnet34_4xb64-100e_in1k.py': _IN, 'resnet50_4xb64-100e_in1k.py': _IN, 'resnet18_1xb16-200e_cub.py': _FINE,
    'resnet18_1xb16-200e_aircraft.py': _FINE, 'resnet18_1xb16-200e_stanfordcars.py': _FINE,
    'resnet50_1xb16-200e_cub.py': _FINE, 'resnext50-32x4d_1xb16-200e_aircraft.py': _FINE,
    'resnext50-32x4d_1xb16-200e_stanfordcars.py': _FINE, 'convnext-tiny_2xb50-200e_cifar100.py': _VIT,
    'swin-tiny_2xb25-200e_cifar100-224px.py': _VIT,
}

COMIXUP_REFERENCE = dict(m_part=20, m_block_num=4, beta=0.32, gamma=1.0,
                         thres=0.83, eta=0.05, omega=0.001, niter=4,
                         set_resolve=True, clean_lam=1.0)


def load(method, sibling) -> dict:
    return load_recipe(CONFIG_ROOT / method / f'{method}_{sibling}')


def augments(model: dict) -> list:
    augs = (model.get('train_cfg') or {}).get('augments', [])
    return list(augs) if isinstance(augs, (list, tuple)) else [augs]


def test_every_sibling_has_every_method_and_alpha_is_pinned():
    assert set(ALPHA) == set(SIBLINGS)
    for method in METHODS:
        names = sorted(p.name for p in (CONFIG_ROOT / method).glob('*.py'))
        assert names == [f'{method}_{s}' for s in SIBLINGS], method


def recipe_extras(cfg, method, sibling):
    """Options a recipe adds to its mixer beside alpha: SaliencyMix the data
    preprocessor's mean/std (to recover the 8-bit image); ResizeMix bilinear
    on the ViT-era CIFAR-100 recipes (OpenMixup's
    configs/classification/cifar100/mixups/vits/)."""
    if method == 'saliencymix':
        return dict(mean=cfg['data_preprocessor']['mean'],
                    std=cfg['data_preprocessor']['std'])
    if method == 'resizemix' and sibling.split('_')[0] in ('swin-tiny',
                                                           'convnext-tiny'):
        return dict(interpolation='bilinear')
    return {}


@pytest.mark.parametrize('sibling', SIBLINGS)
@pytest.mark.parametrize('method', METHODS)
def test_config_differs_from_mixup_sibling_only_in_method_block(
        method, sibling):
    cfg, ref = load(method, sibling), load('mixup', sibling)
    assert set(cfg) == set(ref)
    for key in cfg:
        if key != 'model':
            assert cfg[key] == ref[key], key
    model, ref_model = dict(cfg['model']), dict(ref['model'])
    alpha = ALPHA[sibling][method]
    if method in BATCH_MIXERS:
        augs = augments(model)
        assert len(augs) == 1
        assert augs[0] == dict(type=BATCH_MIXERS[method].__name__,
                               alpha=alpha, **recipe_extras(cfg, method, sibling))
        # the same form (list or single dict) as the sibling's Mixup
        assert type(model['train_cfg']['augments']) is type(
            ref_model['train_cfg']['augments'])
        differs = {'train_cfg'}
    else:
        assert model['type'] == 'SaliencyMixClassifier'
        assert model['mixer'] == dict(type='CoMixup', alpha=alpha,
                                      **COMIXUP_REFERENCE)
        assert 'train_cfg' not in model
        differs = {'type', 'mixer', 'train_cfg'}
    for key in set(model) | set(ref_model):
        if key not in differs:
            assert model.get(key) == ref_model.get(key), key
    assert isinstance(alpha, float)


@pytest.mark.parametrize('sibling', SIBLINGS)
@pytest.mark.parametrize('method', sorted(BATCH_MIXERS))
def test_batch_mixer_config_builds_into_image_classifier(method, sibling):
    if 'in1k' in sibling and sibling != 'resnet18_4xb64-100e_in1k.py':
        pytest.skip('same model block as the ResNet-18 in1k recipe, bigger backbone')
    cfg = Config.fromfile(str(CONFIG_ROOT / method / f'{method}_{sibling}'))
    model_cfg = cfg.model.copy()
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    torch.set_num_threads(1)
    model = MODELS.build(model_cfg)
    assert type(model).__name__ == 'ImageClassifier'
    (aug, ) = model.data_preprocessor.batch_augments.augments
    assert type(aug) is BATCH_MIXERS[method]
    assert aug.alpha == ALPHA[sibling][method]


def test_comixup_config_builds_saliency_classifier():
    cfg = Config.fromfile(
        str(CONFIG_ROOT / 'comixup' / 'comixup_resnet18-w16_1xb64-5e_fmnist-embedded.py'))
    model_cfg = cfg.model.copy()
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    assert type(model.mixer).__name__ == 'CoMixup'
