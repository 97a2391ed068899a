"""ManifoldMix configs: one per Mixup sibling whose backbone has ResNet
stages, each differing from it only in the method block with the published
alpha; the siblings left out are exactly those whose backbone the
classifier refuses (Swin-T, ConvNeXt-T: no ``res_layers``)."""
import pytest
from mmengine.config import Config
from mmpretrain.registry import MODELS

from helpers.baseline_recipes import CONFIG_ROOT, SIBLINGS, load

METHOD_KEYS = {'type', 'alpha', 'layers', 'train_cfg'}
# OpenMixup tables: Mixup_cifar.md (CIFAR-100: 2), Mixup_imagenet.md
# (Tiny-ImageNet and ImageNet ResNets: 0.2), Mixup_downstream.md (CUB-200,
# FGVC-Aircraft: 0.5). Fashion-MNIST takes the CIFAR value, Stanford-Cars
# and R50 on CUB the fine-grained one (as the configs say).
ALPHA = {
    'resnet18_1xb100-800e_cifar100.py': 2.0, 'resnext50-32x4d_1xb100-800e_cifar100.py': 2.0, 'resnet18-w16_1xb64-5e_fmnist.py': 2.0,
    'resnet18-w16_1xb64-5e_fmnist-embedded.py': 2.0, 'resnet18_1xb100-400e_tinyimagenet.py': 0.2,
    'resnet18_4xb64-100e_in1k.py': 0.2, 'resnet34_4xb64-100e_in1k.py': 0.2, 'resnet50_4xb64-100e_in1k.py': 0.2,
    'resnet18_1xb16-200e_cub.py': 0.5, 'resnet18_1xb16-200e_aircraft.py': 0.5,
    'resnet18_1xb16-200e_stanfordcars.py': 0.5, 'resnet50_1xb16-200e_cub.py': 0.5,
    'resnext50-32x4d_1xb16-200e_aircraft.py': 0.5, 'resnext50-32x4d_1xb16-200e_stanfordcars.py': 0.5,
}
WITHOUT_STAGES = {'convnext-tiny_2xb50-200e_cifar100.py': 'ConvNeXt',
                  'swin-tiny_2xb25-200e_cifar100-224px.py': 'SwinTransformer'}


def build(model_cfg):
    cfg = dict(model_cfg)
    cfg['backbone'] = {k: v for k, v in cfg['backbone'].items()
                       if k != 'init_cfg'}  # no weight download
    return MODELS.build(cfg)


def test_one_config_per_sibling_with_resnet_stages():
    assert set(ALPHA) | set(WITHOUT_STAGES) == set(SIBLINGS)
    names = sorted(p.name for p in (CONFIG_ROOT / 'manifoldmix').glob('*.py'))
    assert names == sorted(f'manifoldmix_{s}' for s in ALPHA)


@pytest.mark.parametrize('sibling', sorted(WITHOUT_STAGES))
def test_left_out_siblings_are_refused_by_the_classifier(sibling):
    model = dict(load('mixup', sibling)['model'], type='ManifoldMixClassifier')
    model.pop('train_cfg')
    with pytest.raises(ValueError, match=f'backbone {WITHOUT_STAGES[sibling]}'
                       ' has no such stages'):
        build(model)


@pytest.mark.parametrize('sibling', sorted(ALPHA))
def test_differs_from_mixup_sibling_only_in_method_block(sibling):
    cfg, ref = load('manifoldmix', sibling), load('mixup', sibling)
    assert {k: v for k, v in cfg.items() if k != 'model'} == \
        {k: v for k, v in ref.items() if k != 'model'}
    model = cfg['model']
    assert {k: v for k, v in model.items() if k not in METHOD_KEYS} == \
        {k: v for k, v in ref['model'].items() if k not in METHOD_KEYS}
    assert (model['type'], model['alpha'], model['layers']) == (
        'ManifoldMixClassifier', ALPHA[sibling], (0, 1, 2))
    assert model['train_cfg'] is None  # the sibling's Mixup is gone


@pytest.mark.parametrize('sibling', sorted(ALPHA))
def test_config_builds(sibling):
    if sibling in ('resnet34_4xb64-100e_in1k.py', 'resnet50_4xb64-100e_in1k.py',
                   'resnet50_1xb16-200e_cub.py'):
        pytest.skip('same classifier block as the resnet18 in1k / cub recipes')
    cfg = Config.fromfile(str(CONFIG_ROOT / 'manifoldmix'
                              / f'manifoldmix_{sibling}'))
    model = build(dict(cfg.model, data_preprocessor=cfg.data_preprocessor))
    assert type(model).__name__ == 'ManifoldMixClassifier'
    assert model.alpha == ALPHA[sibling] and model.layers == (0, 1, 2)
