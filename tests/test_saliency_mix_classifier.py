"""SaliencyMixClassifier: the saliency pass's mode, value and gradients.

A deterministic stub mixer makes the mixed batch reproducible, so the
parameter gradients after ``backward`` of the returned losses can be
compared with the reference's explicit passes: the mixed loss alone when
``clean_lam == 0`` (the clean loss's gradient must not leak into the
update), clean + mixed backward when ``clean_lam > 0``.
"""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from adautomix_mm.models.utils.saliency import module_mode

K = 4


class StubMixer:
    """0.6 x + 0.4 x.flip(0); records what it was given."""

    def __init__(self, saliency_mode='eval', clean_lam=0.0):
        self.saliency_mode = saliency_mode
        self.clean_lam = clean_lam
        self.seen = {}

    def __call__(self, inputs, targets, saliency, mean, std):
        self.seen = dict(saliency=saliency.clone(), mean=mean, std=std)
        return (0.6 * inputs + 0.4 * inputs.flip(0),
                0.6 * targets + 0.4 * targets.flip(0))


MODELS.register_module('StubSaliencyMixer', module=StubMixer, force=True)


def build(mode='eval', clean_lam=0.0, **kw):
    torch.manual_seed(0)
    cfg = dict(
        type='SaliencyMixClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, in_channels=1,
                      stem_channels=8, base_channels=8, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=K, in_channels=64,
                  loss=dict(type='CrossEntropyLoss', use_soft=True)),
        mixer=dict(type='StubSaliencyMixer', saliency_mode=mode,
                   clean_lam=clean_lam),
        data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=K,
                               mean=[100.], std=[50.]))
    cfg.update(kw)
    model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    return model


def batch(b=6):
    torch.manual_seed(1)
    x = torch.randn(b, 1, 8, 8)
    labels = torch.arange(b) % K
    samples = [DataSample().set_gt_label(int(i)) for i in labels]
    return x, samples, F.one_hot(labels, K).float()


def grads(model):
    return {n: p.grad.clone() for n, p in model.named_parameters()
            if p.grad is not None}


def bn_stats(model):
    return {n: b.clone() for n, b in model.named_buffers()
            if 'running' in n}


def mixed_loss(model, x, y):
    xm, ym = 0.6 * x + 0.4 * x.flip(0), 0.6 * y + 0.4 * y.flip(0)
    logits = model.head(model.extract_feat(xm))
    return -(ym * F.log_softmax(logits, 1)).sum(1).mean()


def clean_loss(model, x, y):
    return -(y * F.log_softmax(model.head(model.extract_feat(x)), 1)).sum(
        1).mean()


def record_bn_modes(model):
    modes = []
    bn = next(m for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    bn.register_forward_hook(lambda m, i, o: modes.append(m.training))
    return modes


@pytest.mark.parametrize('mode', ['eval', 'train'])
def test_dropped_clean_loss_does_not_reach_the_update(mode):
    model = build(mode, 0.0)
    ref = copy.deepcopy(model)
    x, samples, y = batch()
    modes = record_bn_modes(model)
    losses = model.loss(x, samples)
    assert set(losses) == {'loss'}
    sum(losses.values()).backward()
    assert modes == [mode == 'train', True]
    assert all(m.training for m in model.modules())

    # reference: the clean pass (its gradient zeroed), then the mixed pass
    with module_mode(ref, mode == 'train'):
        xs = x.clone().requires_grad_(True)
        clean_loss(ref, xs, y).backward()
        saliency = xs.grad.pow(2).mean(1).sqrt()
    ref.zero_grad()
    mixed_loss(ref, x, y).backward()
    torch.testing.assert_close(model.mixer.seen['saliency'], saliency)
    g, g_ref = grads(model), grads(ref)
    assert g.keys() == g_ref.keys() and len(g) > 0
    for name in g:
        torch.testing.assert_close(g[name], g_ref[name], msg=name)
    # eval mode leaves BN statistics to the mixed pass; train mode also
    # counts the clean pass (as the references)
    for name, value in bn_stats(ref).items():
        torch.testing.assert_close(bn_stats(model)[name], value, msg=name)


@pytest.mark.parametrize('scale,weight', [('reference', 2 * 0.5 / K),
                                          ('soft_ce', 2 * 0.5),
                                          ('unscaled', 0.5)])
def test_kept_clean_loss_gives_the_reference_gradients(scale, weight):
    model = build('train', 0.5, clean_loss_scale=scale)
    ref = copy.deepcopy(model)
    x, samples, y = batch()
    losses = model.loss(x, samples)
    assert set(losses) == {'loss_mix', 'loss_clean'}
    sum(losses.values()).backward()
    # reference: clean backward (kept), mixed backward, one step
    xs = x.clone().requires_grad_(True)
    lc = weight * clean_loss(ref, xs, y)
    lc.backward(retain_graph=True)
    saliency = xs.grad.pow(2).mean(1).sqrt()
    mixed_loss(ref, x, y).backward()
    torch.testing.assert_close(losses['loss_clean'], lc.detach())
    torch.testing.assert_close(model.mixer.seen['saliency'], saliency)
    g, g_ref = grads(model), grads(ref)
    for name in g_ref:
        torch.testing.assert_close(g[name], g_ref[name], msg=name)
    for name, value in bn_stats(ref).items():
        torch.testing.assert_close(bn_stats(model)[name], value, msg=name)


def test_mixer_gets_the_preprocessor_pixel_stats():
    model = build()
    x, samples, _ = batch()
    model.loss(x, samples)
    torch.testing.assert_close(model.mixer.seen['mean'], torch.tensor([100.]))
    torch.testing.assert_close(model.mixer.seen['std'], torch.tensor([50.]))


def test_frozen_module_keeps_its_mode():
    model = build('train')
    model.backbone.norm1.eval()
    with module_mode(model, True):
        assert model.backbone.norm1.training
    assert not model.backbone.norm1.training
    assert model.head.training


@pytest.mark.parametrize('kw,match', [
    (dict(train_cfg=dict(augments=dict(type='Mixup', alpha=1.))),
     'train_cfg'),
    (dict(clean_loss_scale='bce'), 'clean_loss_scale'),
    (dict(mixer='PuzzleMix'), 'mixer'),
])
def test_bad_config(kw, match):
    with pytest.raises(ValueError, match=match):
        build(**kw)


@pytest.mark.parametrize('mode,lam,match', [('test', 0., 'saliency_mode'),
                                            ('eval', -1., 'clean_lam')])
def test_bad_mixer_attributes(mode, lam, match):
    with pytest.raises(ValueError, match=match):
        build(mode, lam)


def test_head_accuracy_must_be_off():
    with pytest.raises(ValueError, match='cal_acc'):
        build(head=dict(type='LinearClsHead', num_classes=K, in_channels=64,
                        cal_acc=True))


@pytest.mark.parametrize('mixer', [
    dict(type='PuzzleMix', block_nums=(2, 4), neigh_size=2),
    dict(type='PuzzleMix', block_nums=(2, 4), neigh_size=2, clean_lam=1.0),
    dict(type='RMix', patch_sizes=(2, 4)),
])
def test_real_mixers_update_as_the_reference(mixer):
    """PuzzleMix (eval-mode pass, or train mode with the kept clean loss)
    and R-Mix (train-mode pass, loss dropped): parameter gradients and BN
    statistics equal the reference's explicit passes on the same mixed
    batch (same RNG draws)."""
    if mixer['type'] == 'PuzzleMix':
        pytest.importorskip('gco')
    model = build(mixer=mixer)
    ref = copy.deepcopy(model)
    x, samples, y = batch()
    torch.manual_seed(5)
    losses = model.loss(x, samples)
    sum(losses.values()).backward()

    keep = mixer.get('clean_lam', 0) > 0
    with module_mode(ref, mixer['type'] == 'RMix' or keep):
        xs = x.clone().requires_grad_(True)
        lc = (2 * 1.0 / K if keep else 1.0) * clean_loss(ref, xs, y)
        lc.backward(retain_graph=keep)
        saliency = xs.grad.pow(2).mean(1).sqrt()
    if not keep:
        ref.zero_grad()
    torch.manual_seed(5)
    xm, ym = ref.mixer(x, y, saliency, torch.tensor([100.]),
                       torch.tensor([50.]))
    logits = ref.head(ref.extract_feat(xm))
    (-(ym * F.log_softmax(logits, 1)).sum(1).mean()).backward()
    assert ('loss_clean' in losses) == keep
    g, g_ref = grads(model), grads(ref)
    assert g.keys() == g_ref.keys()
    for name in g:
        torch.testing.assert_close(g[name], g_ref[name], msg=name)
    for name, value in bn_stats(ref).items():
        torch.testing.assert_close(bn_stats(model)[name], value, msg=name)


def test_saliency_exists_under_no_grad():
    model = build('eval')
    ref = copy.deepcopy(model)  # before the mixed pass moves BN statistics
    x, samples, y = batch()
    with torch.no_grad():
        model.loss(x, samples)
    with module_mode(ref, False):
        xs = x.clone().requires_grad_(True)
        clean_loss(ref, xs, y).backward()
    torch.testing.assert_close(model.mixer.seen['saliency'],
                               xs.grad.pow(2).mean(1).sqrt())
