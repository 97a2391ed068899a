"""PuzzleMix / R-Mix configs sit beside the Mixup baselines: each differs
from its Mixup sibling only in the model's method block (type, mixer, no
batch augments), from its vanilla sibling only inside ``model``, and carries
the reference hyper-parameters; every mixer fits its dataset's image size.
"""
from pathlib import Path

import pytest
import torch
from mmpretrain.registry import MODELS

import adautomix_mm  # noqa: F401
from recipes import load_recipe

CONFIG_ROOT = Path(__file__).resolve().parents[1] / 'configs' / 'baselines'
METHODS = ('puzzlemix', 'rmix')
MIXUP = sorted((CONFIG_ROOT / 'mixup').glob('mixup_*.py'))
SUFFIXES = [p.name[len('mixup_'):] for p in MIXUP]
METHOD_KEYS = {'type', 'mixer', 'train_cfg', 'clean_loss_scale'}


def load(method, suffix):
    path = CONFIG_ROOT / method / f'{method}_{suffix}'
    return load_recipe(path)


def image_size(suffix):
    return 224 if '224' in suffix else 28 if 'fmnist' in suffix else \
        32 if 'cifar' in suffix else 64 if 'tiny' in suffix else 224


def test_one_config_per_mixup_sibling():
    assert len(SUFFIXES) >= 16
    for method in METHODS:
        names = sorted(p.name for p in (CONFIG_ROOT / method).glob('*.py'))
        assert names == sorted(f'{method}_{s}' for s in SUFFIXES)


@pytest.mark.parametrize('method', METHODS)
@pytest.mark.parametrize('suffix', SUFFIXES)
def test_differs_from_siblings_only_in_the_method_block(method, suffix):
    cfg, mixup = load(method, suffix), load('mixup', suffix)
    vanilla = load('vanilla', suffix)
    assert cfg['model']['type'] == 'SaliencyMixClassifier'
    assert 'train_cfg' not in cfg['model']
    assert cfg['model']['mixer']['type'] == {'puzzlemix': 'PuzzleMix',
                                             'rmix': 'RMix'}[method]
    strip = {k: v for k, v in cfg['model'].items() if k not in METHOD_KEYS}
    assert strip == {k: v for k, v in mixup['model'].items()
                     if k not in METHOD_KEYS}
    rest = {k: v for k, v in cfg.items() if k != 'model'}
    assert rest == {k: v for k, v in mixup.items() if k != 'model'}
    assert rest == {k: v for k, v in vanilla.items() if k != 'model'}


def test_reference_hyper_parameters():
    cifar = load('puzzlemix', 'resnet18_1xb100-800e_cifar100.py')['model']['mixer']
    assert cifar == dict(type='PuzzleMix', alpha=1.0,
                         block_nums=(2, 4, 8, 16), neigh_size=4, t_size=4,
                         t_eps=0.8, clean_lam=0.0)
    tiny = load('puzzlemix', 'resnet18_1xb100-400e_tinyimagenet.py')['model']['mixer']
    assert (tiny['alpha'], tiny['clean_lam'], tiny['t_size']) == (1., 1., -1)
    built = MODELS.build(cifar)
    assert (built.beta, built.gamma, built.eta, built.n_labels,
            built.transport, built.saliency_mode) == (1.2, 0.5, 0.2, 3, True,
                                                      'eval')
    assert MODELS.build(tiny).saliency_mode == 'train'
    rmix = MODELS.build(load('rmix', 'resnet18_1xb100-800e_cifar100.py')['model']['mixer'])
    assert rmix.patch_sizes == (8, 16) and rmix.dirichlet_alpha == 1.0
    torch.testing.assert_close(rmix.quantiles, torch.linspace(0, 0.99, 10))
    assert (rmix.clean_lam, rmix.partners) == (0.0, 'permutation')


@pytest.mark.parametrize('suffix', [s for s in SUFFIXES if 'in1k' in s])
def test_rmix_imagenet_recipes_follow_the_official_imagenet_code(suffix):
    """minhlong94/Random-Mixup imagenet/lib/rl_mix.py (DIRICHLET_ALPHA = 0.2,
    partners ``flip(0)``) and main_fast_ddp.py (``clean_lam * CE`` kept,
    clean_lam 1 in configs/comix/*.yml; num_patches 2 or 4 of 224 px)."""
    model = load('rmix', suffix)['model']
    assert model['clean_loss_scale'] == 'unscaled'
    rmix = MODELS.build(model['mixer'])
    assert (rmix.dirichlet_alpha, rmix.clean_lam, rmix.partners) == (
        0.2, 1.0, 'flip')
    assert rmix.patch_sizes == (56, 112)


@pytest.mark.parametrize('method', METHODS)
@pytest.mark.parametrize('suffix', SUFFIXES)
def test_mixer_fits_the_image_size(method, suffix):
    """Every grid / patch size the mixer may draw works at the image size
    of the config's dataset."""
    cfg = load(method, suffix)['model']
    size = image_size(suffix)
    c = cfg['backbone'].get('in_channels', 3)
    mixer_cfg = dict(cfg['mixer'])
    sizes = mixer_cfg.pop('block_nums', None) or mixer_cfg.pop('patch_sizes')
    key = 'block_nums' if method == 'puzzlemix' else 'patch_sizes'
    x = torch.randn(2, c, size, size)
    for s in sizes:
        mixer = MODELS.build(dict(mixer_cfg, **{key: (s, )}))
        mixed, labels = mixer(x, torch.eye(2), torch.rand(2, size, size),
                              torch.zeros(c), torch.ones(c))
        assert mixed.shape == x.shape
        torch.testing.assert_close(labels.sum(1), torch.ones(2))
