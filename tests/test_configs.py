"""Every config under ``configs/`` loads and builds its model; key reference
hyper-parameters of the recipes are what the reference study (§1.10, §3)
says they are.

Only models are built (no datasets, no training). A few tiny forward
passes check the Mix Block's input feature maps and the CIFAR ResNet-18
AdAutoMix recipe's predictions (EMA and online scores of the right shape).
The module runs torch single-threaded: its forwards are tiny, and with two
threads on a busy 2-core machine they are several times slower. Building
every model, ImageNet/ViT ones included, then takes about 15-25 s, so no
meta-device tricks are needed (they would not work anyway: mmpretrain
backbones call ``.item()`` while being built).
"""
import ast
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

import adautomix_mm  # noqa: F401  (registers the plugin's modules)
from mmpretrain.models.utils.batch_augments import CutMix, Mixup
from mmpretrain.registry import DATASETS, MODELS, TRANSFORMS

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_ROOT = REPO_ROOT / 'configs'
ALL_CONFIG_FILES = sorted(CONFIG_ROOT.rglob('*.py'))
RUNNABLE = [p for p in ALL_CONFIG_FILES if '_base_' not in p.parts]
ADAUTOMIX = sorted((CONFIG_ROOT / 'adautomix').glob('*.py'))
MIXING_BASELINES = sorted((CONFIG_ROOT / 'baselines' / 'mixup').glob('*.py')) \
    + sorted((CONFIG_ROOT / 'baselines' / 'cutmix').glob('*.py'))
VANILLA_BASELINES = sorted((CONFIG_ROOT / 'baselines' / 'vanilla').glob('*.py'))

_CFG_CACHE = {}


@pytest.fixture(autouse=True, scope='module')
def single_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def rel(path: Path) -> str:
    return str(path.relative_to(CONFIG_ROOT))


def load(name) -> Config:
    """Config by path or by its path relative to ``configs/``."""
    path = name if isinstance(name, Path) else CONFIG_ROOT / name
    key = str(path)
    if key not in _CFG_CACHE:
        _CFG_CACHE[key] = Config.fromfile(key)
    return _CFG_CACHE[key]


def build_model(cfg: Config):
    """Build ``cfg.model`` the way the Runner does (the top-level
    ``data_preprocessor`` is merged into the model config)."""
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model_cfg)


def hook(cfg: Config, type_name: str) -> dict:
    hooks = [h for h in cfg.get('custom_hooks', []) if h['type'] == type_name]
    assert len(hooks) == 1, f'expected one {type_name}, got {hooks}'
    return hooks[0]


def lr_mult(cfg: Config, key: str = 'mix_block') -> float:
    paramwise = cfg.optim_wrapper.get('paramwise_cfg') or {}
    custom = paramwise.get('custom_keys') or {}
    return custom.get(key, {}).get('lr_mult', 1.0)


def schedulers(cfg: Config) -> list:
    sched = cfg.param_scheduler
    return list(sched) if isinstance(sched, (list, tuple)) else [sched]


COSINES = ('CosineAnnealingLR', 'GroupCosineAnnealingLR')


def cosine(cfg: Config) -> dict:
    found = [s for s in schedulers(cfg) if s['type'] in COSINES]
    assert len(found) == 1, found
    return found[0]


def mix_block_floor(cfg: Config):
    """The Mix Block's own LR floor, or None; a floor needs the
    per-group cosine (a plain CosineAnnealingLR would ignore it)."""
    paramwise = cfg.optim_wrapper.get('paramwise_cfg') or {}
    floor = (paramwise.get('custom_keys') or {}).get('mix_block', {}).get(
        'eta_min')
    if floor is not None:
        assert cosine(cfg)['type'] == 'GroupCosineAnnealingLR'
    return floor


def augments(cfg: Config) -> list:
    train_cfg = cfg.model.get('train_cfg') or {}
    augs = train_cfg.get('augments', [])
    return list(augs) if isinstance(augs, (list, tuple)) else [augs]


# --------------------------------------------------------------- all configs
def test_config_tree_is_populated():
    assert len(ADAUTOMIX) >= 14
    assert len(MIXING_BASELINES) >= 32
    assert len(VANILLA_BASELINES) >= 16


def test_basenames_unique():
    """mim finds configs by file name: no two may share one."""
    seen = {}
    for path in ALL_CONFIG_FILES:
        assert path.name not in seen, \
            f'{rel(path)} and {rel(seen[path.name])} share a basename'
        seen[path.name] = path


@pytest.mark.parametrize('path', ALL_CONFIG_FILES, ids=rel)
def test_no_import_statements(path):
    """An import in a plain config switches mmengine to lazy-import mode."""
    tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
    imports = [n for n in ast.walk(tree)
               if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not imports, f'{rel(path)} has import statements'


def test_recipes_are_composed_from_bases():
    """A recipe's ``_base_`` list names only files under ``configs/_base_/``
    (no recipe inherits another method's recipe; the option variants in
    ``variants/`` build on the recipe they vary) after a header of at most
    three comment lines."""
    for path in RUNNABLE:
        tree = ast.parse(path.read_text(encoding='utf-8'))
        bases = [ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and
                 [t.id for t in n.targets] == ['_base_']]
        assert len(bases) == 1, rel(path)
        for base in bases[0]:
            target = (path.parent / base).resolve()
            if 'variants' in path.parts:
                assert target.parent == path.parent.parent, rel(path)
            else:
                assert CONFIG_ROOT / '_base_' in target.parents, \
                    f'{rel(path)} inherits {base}'
        lines = path.read_text(encoding='utf-8').splitlines()
        header = lines[:lines.index(next(
            line for line in lines if not line.startswith('#')))]
        assert 1 <= len(header) <= 3, rel(path)


MMPRETRAIN_AUGMENTS = {'Mixup': Mixup, 'CutMix': CutMix}

# Recipes whose Mix Block input is checked against the reference's feature
# map (reference study §1.2 table) at the recipe's input size.
MIX_STAGE_SHAPES = {
    'adautomix/adautomix_resnet18_1xb100-800e_cifar100.py': (32, (256, 8, 8)),
    'adautomix/adautomix_resnext50-32x4d_1xb100-800e_cifar100.py': (32, (1024, 8, 8)),
    'adautomix/adautomix_resnet18_1xb100-400e_tinyimagenet.py': (64, (256, 16, 16)),
    'adautomix/adautomix_resnet50_4xb64-100e_in1k.py': (224, (1024, 14, 14)),
    'adautomix/adautomix_swin-tiny_2xb25-200e_cifar100-224px.py': (224, (768, 7, 7)),
    'adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py': (32, (384, 8, 8)),
}


@pytest.mark.parametrize('path', RUNNABLE, ids=rel)
def test_config_builds_model(path):
    cfg = load(path)
    assert cfg.default_scope == 'mmpretrain'
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'val_evaluator', 'test_evaluator', 'optim_wrapper',
                'param_scheduler', 'train_cfg', 'val_cfg', 'test_cfg'):
        assert key in cfg, f'{rel(path)} lacks {key}'
    assert cfg.train_cfg.by_epoch is True
    assert cfg.train_cfg.get('val_interval') == 1
    model = build_model(cfg)
    assert isinstance(model, torch.nn.Module)
    assert model.data_preprocessor.num_classes == cfg.model.head.num_classes
    augs = augments(cfg)
    batch_augments = model.data_preprocessor.batch_augments
    if not augs:
        assert batch_augments is None
    else:
        # MMPretrain's own Mixup/CutMix classes, not same-named plugin ones.
        for aug_cfg, aug in zip(augs, batch_augments.augments):
            if aug_cfg['type'] in MMPRETRAIN_AUGMENTS:
                assert type(aug) is MMPRETRAIN_AUGMENTS[aug_cfg['type']]
                assert aug.alpha == aug_cfg['alpha']
    if rel(path) in MIX_STAGE_SHAPES:
        # The Mix Block reads the reference's feature map; its channels are
        # inferred from it.
        size, mix_shape = MIX_STAGE_SHAPES[rel(path)]
        model.eval()
        with torch.no_grad():
            feats = model.backbone(torch.zeros(1, 3, size, size))
        assert tuple(feats[0].shape[1:]) == mix_shape
        assert model.mix_block.in_channels == mix_shape[0]


def dataloaders(cfg: Config):
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        yield key, cfg[key]


@pytest.mark.parametrize('path', RUNNABLE, ids=rel)
def test_config_dataset_and_pipelines_build(path):
    """Dataset classes exist and every transform builds (no data read)."""
    cfg = load(path)
    for key, loader in dataloaders(cfg):
        dataset = loader.dataset
        assert DATASETS.get(dataset.type) is not None, (key, dataset.type)
        if 'download' in dataset:
            assert dataset.download is False, 'configs must not download'
        for transform in dataset.get('pipeline', []):
            TRANSFORMS.build(transform)


# Train / test output size of each pipeline, run on a random image (the
# file-loading step is skipped).
PIPELINE_SIZES = {
    '_base_/datasets/cifar100.py': ((32, 32), (32, 32), 32),
    '_base_/datasets/tiny_imagenet.py': ((64, 64), (64, 64), 64),
    '_base_/datasets/imagenet.py': ((224, 224), (224, 224), 300),
    '_base_/datasets/cub200.py': ((224, 224), (224, 224), 300),
    '_base_/datasets/fgvc_aircraft.py': ((224, 224), (224, 224), 300),
    '_base_/datasets/stanford_cars.py': ((224, 224), (224, 224), 300),
    'adautomix/adautomix_swin-tiny_2xb25-200e_cifar100-224px.py':
    ((224, 224), (224, 224), 32),
    'adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py':
    ((32, 32), (32, 32), 32),
    '_base_/datasets/cifar100_randaugment.py': ((32, 32), (32, 32), 32),
    '_base_/datasets/cifar100-224_randaugment.py':
    ((224, 224), (224, 224), 32),
}


@pytest.mark.parametrize('name', sorted(PIPELINE_SIZES))
def test_pipeline_output_size(name):
    cfg = load(name)
    train_hw, test_hw, in_size = PIPELINE_SIZES[name]
    rng = np.random.default_rng(0)
    for key, expected in (('train_dataloader', train_hw),
                          ('test_dataloader', test_hw)):
        pipeline = [TRANSFORMS.build(t) for t in
                    cfg[key].dataset.pipeline
                    if t['type'] != 'LoadImageFromFile']
        for _ in range(3):  # random crops / augment ops
            h, w = in_size, in_size * 4 // 3 if in_size > 64 else in_size
            results = dict(
                img=rng.integers(0, 256, (h, w, 3), dtype=np.uint8),
                img_shape=(h, w), ori_shape=(h, w), gt_label=1)
            for transform in pipeline:
                results = transform(results)
            inputs = results['inputs']
            assert tuple(inputs.shape) == (3, ) + tuple(expected), key


# ------------------------------------------------------------------ AdAutoMix
@pytest.mark.parametrize('path', ADAUTOMIX, ids=rel)
def test_adautomix_recipe_structure(path):
    cfg = load(path)
    assert cfg.model.type == 'AdAutoMix'
    # The algorithm mixes the batch itself: no batch augments anywhere.
    assert not cfg.model.get('train_cfg')
    assert not (cfg.get('data_preprocessor') or {}).get('batch_augments')
    assert cfg.data_preprocessor.num_classes == cfg.model.head.num_classes
    assert cfg.model.mix_head.num_classes == cfg.model.head.num_classes
    assert isinstance(cfg.model.alpha, float)
    for head in (cfg.model.head, cfg.model.mix_head):
        assert head.loss.type in ('CrossEntropyLoss', 'LabelSmoothLoss')
        if head.loss.type == 'CrossEntropyLoss':
            assert head.loss.use_soft is True
    evaluators = {(e['type'], e.get('network')) for e in cfg.val_evaluator}
    assert {('NetworkAccuracy', 'ema'), ('NetworkAccuracy', 'online')} \
        <= evaluators
    hook(cfg, 'AdversarialOptimizerHook')


def test_adautomix_cifar_r18_reference_values():
    cfg = load('adautomix/adautomix_resnet18_1xb100-800e_cifar100.py')
    m = cfg.model
    assert m.backbone.type == 'ResNet_CIFAR' and m.backbone.depth == 18
    assert tuple(m.backbone.out_indices) == (2, 3) and m.mix_stage == 0
    assert (m.mix_samples, m.is_random, m.alpha) == (3, False, 1.0)
    assert (m.mixup_radio, m.beta_radio, m.lam_margin) == (0.5, 0.3, 0.03)
    assert m.lam_sampler == 'beta_normalized'
    assert m.mix_block.lam_concat is False
    assert m.mix_block.upsample_mode == 'bilinear'
    assert m.mix_block.reduction == 2 and m.mix_block.att_norm_cfg is None
    assert m.cos_sign == 1.0 and m.teacher_buffers == 'own'
    h = hook(cfg, 'AdversarialOptimizerHook')
    assert (h.momentum, h.end_momentum) == (0.999, 0.999999)
    assert tuple(h.adjust_scope) == (0.1, 1.0)
    assert (h.adv_interval, h.adv_mode) == (2, 'alternate_sign')
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == \
        ('SGD', 0.1, 0.9, 1e-4)
    assert lr_mult(cfg) == 1.0
    assert cosine(cfg).eta_min == 0.05
    assert cfg.train_cfg.max_epochs == 800 == cosine(cfg).T_max
    assert cfg.train_dataloader.batch_size == 100


def test_adautomix_cifar_rx50_reference_values():
    cfg = load('adautomix/adautomix_resnext50-32x4d_1xb100-800e_cifar100.py')
    m = cfg.model
    assert m.backbone.type == 'ResNeXt_CIFAR' and m.backbone.depth == 50
    assert (m.backbone.groups, m.backbone.width_per_group) == (32, 4)
    assert m.head.in_channels == m.mix_head.in_channels == 2048
    assert (m.mix_samples, m.beta_radio) == (3, 0.3)
    assert m.mix_block.lam_concat is False
    assert cosine(cfg).eta_min == 0.05 and cfg.train_cfg.max_epochs == 800
    assert hook(cfg, 'AdversarialOptimizerHook').end_momentum == 0.999999


def test_adautomix_tiny_reference_values():
    cfg = load('adautomix/adautomix_resnet18_1xb100-400e_tinyimagenet.py')
    m = cfg.model
    assert m.backbone.type == 'ResNet_CIFAR'
    assert m.head.num_classes == 200 == cfg.data_preprocessor.num_classes
    assert (m.mix_samples, m.beta_radio, m.lam_margin) == (3, 0.4, 0.03)
    assert m.mix_block.lam_concat is False
    assert cfg.optim_wrapper.optimizer.lr == 0.2
    assert math.isclose(cfg.optim_wrapper.optimizer.lr * lr_mult(cfg), 0.1)
    assert cosine(cfg).eta_min == 0.0 and cfg.train_cfg.max_epochs == 400
    assert hook(cfg, 'AdversarialOptimizerHook').end_momentum == 0.999999
    # bicubic RandomResizedCrop (openmixup _base_/datasets/tiny_imagenet/
    # sz64_bs100.py: interpolation=3)
    crop = cfg.train_pipeline[1]
    assert (crop.type, crop.scale, crop.interpolation) == (
        'RandomResizedCrop', 64, 'bicubic')


@pytest.mark.parametrize('depth,name', [
    (18, 'adautomix_resnet18_4xb64-100e_in1k.py'),
    (34, 'adautomix_resnet34_4xb64-100e_in1k.py'),
    (50, 'adautomix_resnet50_4xb64-100e_in1k.py')])
def test_adautomix_imagenet_reference_values(depth, name):
    cfg = load(f'adautomix/{name}')
    m = cfg.model
    assert m.backbone.type == 'ResNet' and m.backbone.depth == depth
    assert (m.mix_samples, m.beta_radio, m.lam_margin) == (2, 0.1, 0.03)
    assert m.mix_block.lam_concat is True
    if depth == 50:
        assert m.mix_block.att_norm_cfg == dict(type='BN')
        assert m.head.in_channels == m.mix_head.in_channels == 2048
    else:
        assert m.mix_block.att_norm_cfg is None
    h = hook(cfg, 'AdversarialOptimizerHook')
    assert (h.end_momentum, tuple(h.adjust_scope)) == (0.99999, (0.1, 1.0))
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.weight_decay) == (0.1, 1e-4) and lr_mult(cfg) == 1.0
    assert cosine(cfg).eta_min == 0.0 and cfg.train_cfg.max_epochs == 100
    assert mix_block_floor(cfg) == 1e-3  # the reference's own Mix Block cosine
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.auto_scale_lr.base_batch_size == 256


# (classes, weights, is_random, beta_radio, lam_margin, classifier floor):
# JinXins/Adversarial-AutoMixup configs/classification/{cub200,aircrafts}/
# adautomix/basic/*_adautomix_bilinear.py (the released configs; the logs in
# experiments/ come from an earlier class with other arguments). Stanford
# Cars has no released config: the CUB/Aircraft defaults.
FINEGRAINED = {
    'adautomix_resnet18_1xb16-200e_cub.py': (200, 'resnet18', True, 0.3, 0.03, 0.0),
    'adautomix_resnet50_1xb16-200e_cub.py': (200, 'resnet50', False, 0.1, 0.03, 0.0),
    'adautomix_resnet18_1xb16-200e_aircraft.py': (100, 'resnet18', True, 0.3, 0.0, 5e-4),
    'adautomix_resnext50-32x4d_1xb16-200e_aircraft.py': (100, 'resnext50_32x4d', True, 0.6, 0.03, 0.0),
    'adautomix_resnet18_1xb16-200e_stanfordcars.py': (196, 'resnet18', False, 0.3, 0.03, 0.0),
    'adautomix_resnext50-32x4d_1xb16-200e_stanfordcars.py': (196, 'resnext50_32x4d', False, 0.3, 0.03, 0.0),
}


@pytest.mark.parametrize('name', sorted(FINEGRAINED))
def test_adautomix_finegrained_reference_values(name):
    cfg = load(f'adautomix/{name}')
    num_classes, weights, is_random, beta, margin, floor = FINEGRAINED[name]
    m = cfg.model
    assert m.head.num_classes == num_classes == cfg.data_preprocessor.num_classes
    assert m.backbone.init_cfg == dict(
        type='Pretrained', checkpoint=f'torchvision://{weights}')
    assert (m.mix_samples, m.beta_radio, m.lam_margin) == (3, beta, margin)
    assert m.is_random is is_random
    assert m.mix_block.lam_concat is True and m.mix_block.att_norm_cfg is None
    assert hook(cfg, 'AdversarialOptimizerHook').end_momentum == 0.99999
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.weight_decay) == (0.001, 5e-4)
    assert math.isclose(opt.lr * lr_mult(cfg), 0.1)
    assert cosine(cfg).eta_min == floor and cfg.train_cfg.max_epochs == 200
    assert mix_block_floor(cfg) == 1e-3
    assert cfg.train_dataloader.batch_size == 16


def test_adautomix_swin_reference_values():
    cfg = load('adautomix/adautomix_swin-tiny_2xb25-200e_cifar100-224px.py')
    m = cfg.model
    assert m.backbone.type == 'SwinTransformer'
    assert m.backbone.out_after_downsample is True
    assert (m.mix_samples, m.is_random, m.lam_margin, m.beta_radio) == \
        (3, True, 0.0, 0.3)
    assert m.mix_block.lam_concat is True
    assert m.mix_block.upsample_mode == 'nearest'
    h = hook(cfg, 'AdversarialOptimizerHook')
    assert (h.end_momentum, tuple(h.adjust_scope)) == (0.99996, (0.25, 1.0))
    ow = cfg.optim_wrapper
    assert (ow.optimizer.type, ow.optimizer.lr, ow.optimizer.weight_decay) \
        == ('AdamW', 5e-4, 0.05)
    assert ow.clip_grad == dict(max_norm=10.0)
    assert math.isclose(ow.optimizer.lr * lr_mult(cfg), 1e-3)
    assert cosine(cfg).eta_min == 1e-4 and cfg.train_cfg.max_epochs == 200
    assert mix_block_floor(cfg) is None  # its 1e-4 is the shared floor
    warmup = [s for s in schedulers(cfg) if s['type'] == 'LinearLR']
    assert len(warmup) == 1 and warmup[0].end == 20
    # the reference's effective batch 100: its log ran 2 GPUs x 25 with
    # update_interval 2 (experiments/CIFAR100/adautomix_swin_200e.log)
    assert cfg.train_dataloader.batch_size == 25
    assert ow.accumulative_counts == 2


def test_adautomix_convnext_reference_values():
    cfg = load('adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py')
    m = cfg.model
    assert m.backbone.type == 'ConvNeXt'
    assert m.backbone.gap_before_final_norm is False
    assert (m.mix_samples, m.lam_margin) == (3, 0.03)
    assert m.mix_block.upsample_mode == 'nearest'
    assert m.mix_block.lam_concat is True
    h = hook(cfg, 'AdversarialOptimizerHook')
    assert (h.end_momentum, tuple(h.adjust_scope)) == (0.99996, (0.25, 1.0))
    ow = cfg.optim_wrapper
    assert (ow.optimizer.type, ow.optimizer.lr) == ('AdamW', 2e-3)
    assert math.isclose(ow.optimizer.lr * lr_mult(cfg), 5e-4)
    assert cosine(cfg).eta_min == 1e-4 and mix_block_floor(cfg) == 5e-5
    warmup = [s for s in schedulers(cfg) if s['type'] == 'LinearLR']
    assert len(warmup) == 1 and warmup[0].end == 20
    assert ow.clip_grad is None
    assert cfg.train_dataloader.batch_size == 50


def param_groups(cfg: Config, model) -> dict:
    """{(top-level module, lr, weight decay): number of trainable tensors}."""
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    groups = {}
    for group in optim_wrapper.optimizer.param_groups:
        for p in group['params']:
            if p.requires_grad:
                key = (names[id(p)].split('.')[0], group['lr'],
                       group['weight_decay'])
                groups[key] = groups.get(key, 0) + 1
    return groups


def test_adautomix_finegrained_param_groups():
    """The Mix Block's own LR reaches the optimizer through paramwise_cfg:
    0.1 against the classifier's 0.001 (the EMA teacher is frozen)."""
    cfg = load('adautomix/adautomix_resnet18_1xb16-200e_cub.py')
    groups = param_groups(cfg, build_model(cfg))
    assert {k[0] for k in groups} == {'backbone', 'head', 'mix_head',
                                      'mix_block'}
    for (module, lr, wd) in groups:
        assert math.isclose(lr, 0.1 if module == 'mix_block' else 0.001)
        assert wd == 5e-4


def test_adautomix_finegrained_schedule_anneals_to_both_floors():
    """Stepping the recipe's own scheduler through its 200 epochs on the
    recipe's optimizer: the last epoch (t = 199 of T = 200) has the closed
    form's LR towards floor 0 for the classifier and 1e-3 for the Mix Block."""
    from mmpretrain.registry import PARAM_SCHEDULERS
    cfg = load('adautomix/adautomix_resnet18_1xb16-200e_cub.py')
    model = build_model(cfg)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    sched = PARAM_SCHEDULERS.build(dict(cfg.param_scheduler, optimizer=wrapper))
    epochs = cfg.train_cfg.max_epochs
    for _ in range(epochs - 1):
        sched.step()
    mix = {id(p) for p in model.mix_block.parameters()}
    final = {}
    for group in wrapper.optimizer.param_groups:
        if any(p.requires_grad for p in group['params']):
            key = 'mix_block' if id(group['params'][0]) in mix else 'rest'
            final.setdefault(key, set()).add(group['lr'])
    decay = (1 + math.cos(math.pi * (epochs - 1) / epochs)) / 2
    assert final.keys() == {'mix_block', 'rest'}
    for key, (base, floor) in dict(mix_block=(0.1, 1e-3),
                                   rest=(1e-3, 0.0)).items():
        assert len(final[key]) == 1, final
        assert final[key].pop() == pytest.approx(
            floor + (base - floor) * decay, rel=1e-9), key


def test_adautomix_convnext_param_groups():
    cfg = load('adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py')
    model = build_model(cfg)
    groups = param_groups(cfg, model)
    assert {lr for (m, lr, _) in groups if m == 'mix_block'} == {5e-4}
    assert {lr for (m, lr, _) in groups if m != 'mix_block'} == {2e-3}
    # no weight decay on layer scales, norms and biases
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {id(p): g['weight_decay']
             for g in optim_wrapper.optimizer.param_groups for p in g['params']}
    for name, p in model.backbone.named_parameters():
        if name.endswith('.gamma') or 'norm' in name or name.endswith('bias'):
            assert decay[id(p)] == 0.0, name
        elif name.endswith('weight') and p.dim() > 1:
            assert decay[id(p)] == 0.05, name


def test_adautomix_cifar_r18_forward_shape():
    cfg = load('adautomix/adautomix_resnet18_1xb100-800e_cifar100.py')
    model = build_model(cfg).eval()
    torch.manual_seed(0)
    with torch.no_grad():
        x = torch.rand(2, 3, 32, 32) * 255
        data = model.data_preprocessor(dict(inputs=list(x.to(torch.uint8))),
                                       False)
        feats = model.backbone(data['inputs'])
        assert tuple(feats[0].shape) == (2, 256, 8, 8)  # Mix Block input
        assert tuple(feats[1].shape) == (2, 512, 4, 4)
        logits = model(data['inputs'], mode='tensor')
        samples = model(data['inputs'], mode='predict')
    assert tuple(logits.shape) == (2, 100)
    assert len(samples) == 2
    for sample in samples:
        for key in ('pred_score', 'pred_score_ema', 'pred_score_online'):
            assert tuple(sample.get(key).shape) == (100, )


# ------------------------------------------------------------------ baselines
@pytest.mark.parametrize('path', MIXING_BASELINES, ids=rel)
def test_mixing_baseline_uses_mmpretrain_batch_augments(path):
    """MMPretrain's own Mixup/CutMix (the built classes are checked in
    test_config_builds_model), float alpha, soft-target loss."""
    cfg = load(path)
    type_name = {'mixup': 'Mixup', 'cutmix': 'CutMix'}[path.parent.name]
    augs = augments(cfg)
    assert [a['type'] for a in augs] == [type_name]
    assert isinstance(augs[0]['alpha'], float), 'alpha must be a float'
    assert cfg.model.type == 'ImageClassifier'
    head = cfg.model.head
    # soft-target CE, or (Swin-T / ConvNeXt-T recipes) mmpretrain's
    # LabelSmoothLoss, which smooths soft targets as they are
    assert head.loss.get('use_soft') is True or (
        head.loss.type == 'LabelSmoothLoss'
        and head.loss.mode == 'original')
    assert not head.get('cal_acc', False)


@pytest.mark.parametrize('path', VANILLA_BASELINES, ids=rel)
def test_vanilla_baseline_has_no_mixing(path):
    cfg = load(path)
    assert cfg.model.type == 'ImageClassifier'
    assert not augments(cfg)


BASELINE_ALPHA = {
    'mixup_resnet18_1xb100-800e_cifar100.py': 1.0,
    'mixup_resnext50-32x4d_1xb100-800e_cifar100.py': 1.0,
    'mixup_resnet18_1xb100-400e_tinyimagenet.py': 1.0,
    'mixup_resnet18_4xb64-100e_in1k.py': 0.2,
    'mixup_resnet34_4xb64-100e_in1k.py': 0.2,
    'mixup_resnet50_4xb64-100e_in1k.py': 0.2,
    'mixup_resnet18_1xb16-200e_cub.py': 0.2,
    'mixup_resnet18_1xb16-200e_aircraft.py': 0.2,
    'mixup_resnet18_1xb16-200e_stanfordcars.py': 0.2,
    'cutmix_resnet18_1xb100-800e_cifar100.py': 0.2,
    'cutmix_resnext50-32x4d_1xb100-800e_cifar100.py': 0.2,
    'cutmix_resnet18_1xb100-400e_tinyimagenet.py': 1.0,
    'cutmix_resnet18_4xb64-100e_in1k.py': 0.2,
    'cutmix_resnet34_4xb64-100e_in1k.py': 1.0,
    'cutmix_resnet50_4xb64-100e_in1k.py': 1.0,
    'cutmix_resnet18_1xb16-200e_cub.py': 1.0,
    'cutmix_resnet18_1xb16-200e_aircraft.py': 1.0,
    'cutmix_resnet18_1xb16-200e_stanfordcars.py': 1.0,
    # the fine-grained R50/RX50 recipes: the R18 values (OpenMixup's
    # fine-grained benchmark)
    'mixup_resnet50_1xb16-200e_cub.py': 0.2,
    'mixup_resnext50-32x4d_1xb16-200e_aircraft.py': 0.2,
    'mixup_resnext50-32x4d_1xb16-200e_stanfordcars.py': 0.2,
    'cutmix_resnet50_1xb16-200e_cub.py': 1.0,
    'cutmix_resnext50-32x4d_1xb16-200e_aircraft.py': 1.0,
    'cutmix_resnext50-32x4d_1xb16-200e_stanfordcars.py': 1.0,
    # the reference's CIFAR-100 table: MixUp 0.8 and CutMix 2 for ViTs
    # (Swin-T and ConvNeXt-T columns)
    'mixup_swin-tiny_2xb25-200e_cifar100-224px.py': 0.8,
    'mixup_convnext-tiny_2xb50-200e_cifar100.py': 0.8,
    'cutmix_swin-tiny_2xb25-200e_cifar100-224px.py': 2.0,
    'cutmix_convnext-tiny_2xb50-200e_cifar100.py': 2.0,
}


@pytest.mark.parametrize('name', sorted(BASELINE_ALPHA))
def test_baseline_alpha_values(name):
    cfg = load(f'baselines/{name.split("_")[0]}/{name}')
    assert augments(cfg)[0]['alpha'] == BASELINE_ALPHA[name]


@pytest.mark.parametrize('method', ['vanilla', 'mixup', 'cutmix'])
def test_baseline_schedules(method):
    for sibling in ('resnet18_1xb100-800e_cifar100.py',
                    'resnext50-32x4d_1xb100-800e_cifar100.py'):
        cfg = load(f'baselines/{method}/{method}_{sibling}')
        # baselines anneal to 0, not to the learned-mixup floor of 0.05
        assert cosine(cfg).eta_min == 0.0
        assert cfg.train_cfg.max_epochs == 800
        wd = 5e-4 if (method, sibling) == (
            'cutmix', 'resnext50-32x4d_1xb100-800e_cifar100.py') else 1e-4
        assert cfg.optim_wrapper.optimizer.weight_decay == wd
    cfg = load(f'baselines/{method}/{method}_resnet18_1xb16-200e_cub.py')
    assert cfg.model.backbone.init_cfg.checkpoint == 'torchvision://resnet18'
    assert cfg.optim_wrapper.optimizer.lr == 0.001
    assert cfg.train_cfg.max_epochs == 200
    cfg = load(f'baselines/{method}/{method}_resnet50_4xb64-100e_in1k.py')
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.auto_scale_lr.base_batch_size == 256


def test_adautomix_full_fmnist_matches_demo_and_baseline_budget():
    full = load('adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist.py')
    demo = load('adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py')
    baseline = load('baselines/mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py')
    # Same model and game as the demo but for the EMA window.
    differs = {k for k in set(full.model) | set(demo.model)
               if full.model.get(k) != demo.model.get(k)}
    assert differs == {'teacher_momentum'}
    game = hook(full, 'AdversarialOptimizerHook')
    assert (full.model.teacher_momentum, game.momentum,
            game.end_momentum) == (0.99, 0.99, 0.999)
    assert game.adv_interval == hook(demo, 'AdversarialOptimizerHook')[
        'adv_interval']
    # Same data, batch, optimizer and schedule as the full-set baselines.
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'optim_wrapper', 'param_scheduler', 'train_cfg'):
        assert full[key] == baseline[key], key
    # (Building a baseline model writes its batch augments into the cached
    # config's data_preprocessor, so compare the normalisation only.)
    for key in ('num_classes', 'mean', 'std', 'to_rgb'):
        assert full.data_preprocessor[key] == baseline.data_preprocessor[key]
