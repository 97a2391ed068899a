"""AutoMix / SAMix recipes: every AdAutoMix recipe has an AutoMix sibling
that differs from it only in the model's method block and the schedule
hooks; the reference AutoMix values per family; the SAMix recipes differ from
their AutoMix sibling only in the Mix Block options; every AdAutoMix recipe
has a config in every baseline folder, on the recipe's data, schedule and
network."""
import copy
import math
import re
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

import adautomix_mm  # noqa: F401
from recipes import load_recipe

CONFIG_ROOT = Path(__file__).resolve().parents[1] / 'configs'
ADAUTOMIX = sorted((CONFIG_ROOT / 'adautomix').glob('*.py'))
AUTOMIX = sorted((CONFIG_ROOT / 'automix').glob('*.py'))
SAMIX = sorted((CONFIG_ROOT / 'samix').glob('*.py'))
NETWORK_KEYS = ('backbone', 'neck', 'head', 'mix_head', 'init_cfg',
                'data_preprocessor')
SCHEDULE_HOOKS = {'AdversarialOptimizerHook', 'MomentumScheduleHook',
                  'MaskLossScheduleHook'}


def load(path) -> dict:
    return load_recipe(path)


def sibling(path: Path) -> Path:
    return CONFIG_ROOT / 'adautomix' / path.name.replace('automix_',
                                                         'adautomix_', 1)


# The reference AutoMix configs' learning rates where they differ from the
# AdAutoMix sibling's (each recipe's header cites the OpenMixup file): the
# Mix Block's group (lr_mult, its own cosine floor) and the classifier's
# cosine floor. Every other key of the schedule is the sibling's.
_FINE_GRAINED = dict(mix_block=dict(lr_mult=10.0, eta_min=5e-4),
                     eta_min=0.0)
REFERENCE_LR = {
    'automix_resnet18_1xb100-400e_tinyimagenet.py':
        dict(mix_block=dict(lr_mult=0.5, eta_min=1e-3), eta_min=0.05),
    **{f'automix_{n}.py': _FINE_GRAINED
       for n in ('resnet18_1xb16-200e_cub', 'resnet50_1xb16-200e_cub',
                 'resnet18_1xb16-200e_aircraft',
                 'resnext50-32x4d_1xb16-200e_aircraft',
                 'resnet18_1xb16-200e_stanfordcars',
                 'resnext50-32x4d_1xb16-200e_stanfordcars')},
}


def _without_reference_lr(cfg, name):
    """``cfg`` without the keys that REFERENCE_LR sets, after checking
    them."""
    cfg = copy.deepcopy(cfg)
    expected = REFERENCE_LR[name]
    keys = cfg['optim_wrapper']['paramwise_cfg']['custom_keys']
    assert keys.pop('mix_block') == expected['mix_block'], name
    sched = cfg['param_scheduler']
    assert sched.pop('type') == 'GroupCosineAnnealingLR', name
    assert sched.pop('eta_min') == expected['eta_min'], name
    return cfg


def split_hooks(cfg):
    hooks = cfg.get('custom_hooks', [])
    return ([h for h in hooks if h['type'] in SCHEDULE_HOOKS],
            [h for h in hooks if h['type'] not in SCHEDULE_HOOKS])


def test_every_adautomix_recipe_has_an_automix_sibling():
    names = {p.name.replace('adautomix_', 'automix_', 1) for p in ADAUTOMIX}
    assert names == {p.name for p in AUTOMIX}
    assert len(AUTOMIX) >= 16
    assert {'automix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
            'automix_resnet18-w16_1xb64-5e_fmnist.py'} <= names


@pytest.mark.parametrize('path', AUTOMIX, ids=lambda p: p.name)
def test_automix_differs_from_its_sibling_only_in_method_and_schedule(path):
    auto, ada = load(path), load(sibling(path))
    rest = lambda c: {k: v for k, v in c.items()  # noqa: E731
                      if k not in ('model', 'custom_hooks')}
    if path.name in REFERENCE_LR:
        assert rest(auto) != rest(ada)
        auto, ada = _without_reference_lr(auto, path.name), _strip_lr(ada)
    assert rest(auto) == rest(ada)
    # the network inside the model block is the sibling's too
    for key in NETWORK_KEYS:
        assert auto['model'].get(key) == ada['model'].get(key), key
    # and the hooks other than the schedule hooks
    auto_sched, auto_other = split_hooks(auto)
    ada_sched, ada_other = split_hooks(ada)
    assert auto_other == ada_other
    assert [h['type'] for h in ada_sched] == ['AdversarialOptimizerHook']
    assert auto_sched[0]['type'] == 'MomentumScheduleHook'
    # the same EMA schedule as the sibling (AutoMix's reference values are
    # AdAutoMix's on every dataset family)
    for key in ('momentum', 'end_momentum', 'adjust_scope'):
        assert tuple(_as_tuple(auto_sched[0][key])) == \
            tuple(_as_tuple(ada_sched[0][key])), key
    assert auto['model']['type'] == 'AutoMix'
    assert auto['model']['mix_block']['type'] == 'PixelMixBlock'


def _strip_lr(cfg):
    """The sibling without the keys REFERENCE_LR replaces."""
    cfg = copy.deepcopy(cfg)
    cfg['optim_wrapper']['paramwise_cfg']['custom_keys'].pop('mix_block')
    cfg['param_scheduler'].pop('type')
    cfg['param_scheduler'].pop('eta_min', None)
    return cfg


def _as_tuple(v):
    return v if isinstance(v, (list, tuple)) else (v, )


@pytest.mark.parametrize('path', AUTOMIX, ids=lambda p: p.name)
def test_automix_reference_values(path):
    cfg = load(path)
    m, mb = cfg['model'], cfg['model']['mix_block']
    assert m['alpha'] == 2.0 and m['mask_loss'] == 0.1
    assert m['lam_margin'] == 0.08 and m['mask_adjust'] == 0.0
    assert mb['upsample_mode'] == 'nearest' and mb['mask_loss_mode'] == 'L1'
    assert mb['mask_loss_margin'] == 0.1 and mb.get('att_act_cfg') is None
    assert mb['scale_factor'] == 'by_image_size'
    name = path.name
    small = any(s in name for s in ('800e_cifar100', 'tinyimagenet', 'fmnist'))
    vit = any(s in name for s in ('swin', 'convnext'))
    # lambda channel: off on small-scale datasets, on for ImageNet-size/ViTs
    assert mb['lam_concat'] is (not small)
    annealed = [h for h in cfg['custom_hooks']
                if h['type'] == 'MaskLossScheduleHook']
    assert bool(annealed) is (not small)
    if annealed:
        assert annealed[0]['end'] == 0.0 and annealed[0]['start'] is None
    assert m.get('switch_off', 0.0) == (1.0 if vit else 0.0)
    # no shipped reference AutoMix config sets head_one_mix or an eta loss
    assert m.get('head_one_mix', False) is False
    assert m.get('generator_loss', 'mixup_ce') == 'mixup_ce'
    # mix_shuffle_no_repeat: set in the reference's fine-grained configs only
    fine_grained = any(s in name for s in ('_cub', 'aircraft', 'cars'))
    assert m.get('partners_no_repeat', False) is fine_grained
    assert mb['mask_layer'] == (3 if 'swin' in name else 2)


@pytest.mark.parametrize('path', AUTOMIX + SAMIX, ids=lambda p: p.name)
def test_recipe_builds_and_mix_block_fits_the_image_size(path):
    torch.set_num_threads(1)
    cfg = Config.fromfile(str(path))
    model = MODELS.build(cfg.model)
    # the reference's scale rule maps the mix-stage map onto the images
    size = {'fmnist': 28, 'swin': 224, '800e_cifar100': 32, 'convnext': 32,
            'tinyimagenet': 64}
    px = next((v for k, v in size.items() if k in path.name), 224)
    conv = next(mod for mod in model.backbone.modules()
                if isinstance(mod, torch.nn.Conv2d))
    model.backbone.eval()
    with torch.no_grad():
        z = model.backbone(torch.zeros(1, conv.in_channels, px,
                                       px))[model.mix_stage]
    h, w = z.shape[-2:]
    assert model.mix_block._out_size((h, w), (px, px)) == (px, px)


@pytest.mark.parametrize('path', SAMIX, ids=lambda p: p.name)
def test_samix_differs_from_automix_only_in_mix_block_options(path):
    samix = load(path)
    automix = load(CONFIG_ROOT / 'automix' / path.name.replace(
        'samix_', 'automix_', 1))
    a, s = copy.deepcopy(automix), copy.deepcopy(samix)
    a['model'].pop('mix_block')
    s['model'].pop('mix_block')
    # the reference's head_mix_k (soft CE, neg_weight 0.5) = the mixup CE
    assert s['model'].pop('generator_loss') == 'mixup_ce'
    assert s['model'].pop('generator_eta') == 0.5
    # openmixup cifar100/samix/basic/r18/.../*_mask_adjust0_25_ep800.py
    assert s['model'].pop('mask_adjust') == (
        0.25 if path.name == 'samix_resnet18_1xb100-800e_cifar100.py' else 0)
    a['model'].pop('mask_adjust')
    assert a == s
    mb = samix['model']['mix_block']
    assert mb['lam_mul'] == 1.0 and mb['lam_residual'] is True
    assert mb['lam_mul_k'] == 0.25 and mb['x_qk_concat'] is True
    # OpenMixup's ConvNeck defaults: BN + ELU, no bias in any conv; hidden
    # width 128 (R18), 512 (RX50, rx50_*.py), 32 (the demo's width-16 net)
    neck = mb['value_neck_cfg']
    assert (neck['num_layers'], neck['act_cfg'], neck['with_bias']) == (
        2, dict(type='ELU'), False)
    assert neck['hid_channels'] == (512 if 'resnext50' in path.name else
                                    32 if 'fmnist' in path.name else 128)
    assert mb['mask_loss_mode'] == 'L1+Variance'
    assert mb['upsample_mode'] == 'bilinear'


# ------------------------------------------------- baselines beside AdAutoMix
BASELINE_METHODS = ('vanilla', 'mixup', 'cutmix', 'fmix', 'saliencymix',
                    'gridmix', 'resizemix', 'puzzlemix', 'comixup', 'rmix')


def baseline_suffix(path: Path) -> str:
    """adautomix_<backbone>_<data>[_<N>e].py -> <backbone>_<data>.py"""
    stem = path.stem[len('adautomix_'):]
    return re.sub(r'_\d+e$', '', stem) + '.py'


def test_every_adautomix_recipe_has_a_sibling_in_every_baseline_folder():
    suffixes = {baseline_suffix(p) for p in ADAUTOMIX}
    assert len(suffixes) == len(ADAUTOMIX) >= 16
    assert {'convnext-tiny_2xb50-200e_cifar100.py', 'swin-tiny_2xb25-200e_cifar100-224px.py',
            'resnet50_1xb16-200e_cub.py', 'resnext50-32x4d_1xb16-200e_aircraft.py',
            'resnext50-32x4d_1xb16-200e_stanfordcars.py'} <= suffixes
    for method in BASELINE_METHODS:
        names = {p.name
                 for p in (CONFIG_ROOT / 'baselines' / method).glob('*.py')}
        assert names == {f'{method}_{s}' for s in suffixes}, method


def _schedule(cfg):
    """The schedulers without the cosine's floor and the Group- prefix (the
    baselines use MMEngine's cosine; the cifar ones anneal to 0)."""
    scheds = cfg['param_scheduler']
    scheds = scheds if isinstance(scheds, (list, tuple)) else [scheds]
    return [dict({k: v for k, v in s.items() if k != 'eta_min'},
                 type=s['type'].replace('GroupCosine', 'Cosine'))
            for s in scheds]


@pytest.mark.parametrize('path', ADAUTOMIX, ids=lambda p: p.name)
def test_baseline_has_the_data_schedule_and_network_of_its_recipe(path):
    """The vanilla sibling (which every other method's config equals outside
    its method block, see test_mixer_configs / test_saliency_configs) trains
    the recipe's network on the recipe's data with its optimizer."""
    ada = load(path)
    van = load(CONFIG_ROOT / 'baselines' / 'vanilla' /
               f'vanilla_{baseline_suffix(path)}')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'data_preprocessor', 'train_cfg', 'auto_scale_lr',
                'default_hooks', 'env_cfg', 'randomness'):
        assert van.get(key) == ada.get(key), key
    assert van['optim_wrapper']['optimizer'] == \
        ada['optim_wrapper']['optimizer']
    assert van['optim_wrapper'].get('clip_grad') == \
        ada['optim_wrapper'].get('clip_grad')
    assert _schedule(van) == _schedule(ada)
    assert van['model']['type'] == 'ImageClassifier'
    # the network: the same backbone (the baseline reads only the last
    # stage), neck, init and head but for its loss's options
    strip = ('_delete_', 'out_indices')
    assert {k: v for k, v in van['model']['backbone'].items()
            if k not in strip} == \
        {k: v for k, v in ada['model']['backbone'].items() if k not in strip}
    assert van['model']['backbone']['out_indices'][-1] == \
        ada['model']['backbone']['out_indices'][-1]
    for key in ('neck', 'init_cfg'):
        assert van['model'].get(key) == ada['model'].get(key), key
    head, ada_head = dict(van['model']['head']), dict(ada['model']['head'])
    assert head.pop('loss')['type'] == ada_head.pop('loss')['type']
    assert head == ada_head


@pytest.mark.parametrize('name, base, mix_lr, mix_floor, floor', [
    ('automix_resnet18_1xb100-400e_tinyimagenet.py', 0.2, 0.1, 1e-3, 0.05),
    ('automix_resnet18_1xb16-200e_cub.py', 0.001, 0.01, 5e-4, 0.0),
])
def test_reference_lr_reaches_the_optimizer_and_its_floors(
        name, base, mix_lr, mix_floor, floor):
    """The recipe's optimizer and scheduler, stepped to the last epoch: the
    Mix Block starts at the reference AutoMix lr and each group follows the
    cosine to its own floor."""
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.registry import PARAM_SCHEDULERS
    torch.set_num_threads(1)
    cfg = Config.fromfile(str(CONFIG_ROOT / 'automix' / name))
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    mix = {id(p) for p in model.mix_block.parameters()}

    def lrs():
        out = {}
        for group in wrapper.optimizer.param_groups:
            if any(p.requires_grad for p in group['params']):
                key = 'mix' if id(group['params'][0]) in mix else 'rest'
                out.setdefault(key, set()).add(round(group['lr'], 12))
        return out

    assert lrs() == {'mix': {mix_lr}, 'rest': {base}}
    sched = PARAM_SCHEDULERS.build(dict(cfg.param_scheduler,
                                        optimizer=wrapper))
    epochs = cfg.train_cfg.max_epochs
    for _ in range(epochs - 1):
        sched.step()
    decay = (1 + math.cos(math.pi * (epochs - 1) / epochs)) / 2
    final = lrs()
    for key, (start, end) in dict(mix=(mix_lr, mix_floor),
                                  rest=(base, floor)).items():
        assert len(final[key]) == 1, final
        assert final[key].pop() == pytest.approx(
            end + (start - end) * decay, rel=1e-6), key
