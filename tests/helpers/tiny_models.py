"""Tiny learned mixers and batches shared by the in-process model tests.

``learned_mixer`` builds AdAutoMix or AutoMix on a ResNet_CIFAR-18 of width
8 (the Mix Block reads stage 2, the heads stage 3 after pooling) with
soft-CE heads of ``NUM_CLASSES`` classes; ``tiny_batch`` draws 16x16
inputs and their labels. Both seed torch first, so every test that builds
the same model or batch gets the same weights and data.
"""
import copy

import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401
from adautomix_mm.models.utils import sample_partners, sample_ratios

NUM_CLASSES = 4
MIX_BLOCKS = dict(AdAutoMix='AttentionMixBlock', AutoMix='PixelMixBlock')


def learned_mixer(method='AdAutoMix', mix_block=None, out_indices=(2, 3),
                  generator_std=0.3, **overrides):
    """``method`` built from its tiny config plus ``overrides``, in train
    mode. ``generator_std``: the Mix Block's weights are drawn from
    N(0, std^2) so that its masks are far from uniform (the reference's
    init std 0.01 gives nearly uniform masks); ``None`` keeps its init."""
    torch.manual_seed(0)
    head = dict(type='LinearClsHead', num_classes=NUM_CLASSES, in_channels=64,
                loss=dict(type='CrossEntropyLoss', use_soft=True))
    cfg = dict(
        type=method,
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8, out_indices=out_indices),
        neck=dict(type='GlobalAveragePooling'),
        head=head,
        mix_head=copy.deepcopy(head),
        mix_block=mix_block or dict(type=MIX_BLOCKS[method]))
    if method == 'AdAutoMix':
        # the settings the tiny-model tests pin numbers for: AdAutoMix's
        # class defaults before they became the reference's ('first',
        # 'clean_vmix_amix')
        cfg.update(lam_margin_mode='any', online_pass_order='amix_clean_vmix')
    cfg.update(overrides)
    model = MODELS.build(cfg)
    model.init_weights()
    if generator_std is not None:
        for p in model.mix_block.parameters():
            torch.nn.init.normal_(p, 0.0, generator_std)
    model.train()
    return model


def adautomix(**overrides):
    """The tiny AdAutoMix with N = 3 mixed images."""
    overrides.setdefault('mix_samples', 3)
    return learned_mixer('AdAutoMix', **overrides)


def automix(mix_block=None, **overrides):
    """The tiny AutoMix (Pixel Mix Block unless ``mix_block`` is given)."""
    return learned_mixer('AutoMix', mix_block, **overrides)


def parameter_groups(model):
    """The online network's, the Mix Block's and the teacher's parameters."""
    online = [p for n, p in model.named_parameters()
              if n.split('.')[0] in ('backbone', 'neck', 'head', 'mix_head')]
    return dict(
        online=online,
        mix_block=list(model.mix_block.parameters()),
        teacher=list(model.teacher.parameters()))


def assert_gradient_only_in(model, group):
    """The last backward reached exactly ``group`` of
    :func:`parameter_groups` and nothing else. 'mix_block': every parameter
    has a nonzero gradient; 'online': every parameter has a gradient and the
    total is nonzero (a single parameter's may be exactly 0)."""
    groups = parameter_groups(model)
    reached = groups.pop(group)
    assert all(p.grad is not None for p in reached), group
    if group == 'mix_block':
        assert all(p.grad.abs().sum() > 0 for p in reached)
    else:
        assert sum(float(p.grad.abs().sum()) for p in reached) > 0
    for name, params in groups.items():
        assert all(p.grad is None for p in params), name


def check_predict_reports_both_networks(model):
    """``predict`` of a two-network classifier whose online head was moved
    away from the teacher's: ``pred_score`` and ``pred_score_ema`` are the
    teacher's softmax, ``pred_score_online`` the online network's. Returns
    the batch's images."""
    with torch.no_grad():
        for p in model.head.parameters():
            p.add_(1.0)  # make online != teacher
    model.eval()
    x, samples = tiny_batch()
    out = model.predict(x, samples)
    t = model.teacher.module
    ema = F.softmax(t['head'](t['neck'](t['backbone'](x))), 1)
    online = F.softmax(model.head(model.neck(model.backbone(x))), 1)
    for i, s in enumerate(out):
        torch.testing.assert_close(s.pred_score, ema[i])
        torch.testing.assert_close(s.pred_score_ema, ema[i])
        torch.testing.assert_close(s.pred_score_online, online[i])
    return x


def tiny_batch(b=6, size=16):
    """``b`` images ``N(0, 1)`` of ``size`` x ``size`` and labels
    ``i % NUM_CLASSES``."""
    torch.manual_seed(1)
    x = torch.randn(b, 3, size, size)
    samples = [DataSample().set_gt_label(i % NUM_CLASSES) for i in range(b)]
    return x, samples


def generator_draws(seed, n, b):
    """``(lam, perms)`` of AdAutoMix's generator sample, drawn again in the
    order ``loss()`` draws them for N >= 3 after ``torch.manual_seed(seed)``:
    one shared lambda, the classifier's permutations, the generator's."""
    torch.manual_seed(seed)
    lam = sample_ratios(n, 1.0, 'beta_normalized')
    sample_partners(n, b, keep_first=False)
    return lam, sample_partners(n, b, keep_first=False)
