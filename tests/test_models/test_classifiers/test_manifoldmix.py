"""ManifoldMixClassifier: the hidden state after the drawn layer is
``lam * h + (1 - lam) * h[perm]`` and the forward goes on from it, labels
mix by the same ``lam``, gradients reach every backbone stage, the hook
is gone after the step, and bad layers / backbones fail at build."""
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401

K = 5
LAM = 0.3
PERM = torch.tensor([2, 0, 3, 1])
BACKBONES = {
    'ResNet_CIFAR': dict(type='ResNet_CIFAR', depth=18, stem_channels=4,
                         base_channels=4, out_indices=(3, )),
    'ResNet': dict(type='ResNet', depth=18, stem_channels=4, base_channels=4,
                   out_indices=(3, )),
    'ResNeXt': dict(type='ResNeXt', depth=50, groups=2, width_per_group=2,
                    stem_channels=8, base_channels=8, out_indices=(3, )),
    'ResNeXt_CIFAR': dict(type='ResNeXt_CIFAR', depth=50, groups=2,
                          width_per_group=2, stem_channels=8,
                          base_channels=8, out_indices=(3, )),
}
HEAD_IN = {'ResNet_CIFAR': 32, 'ResNet': 32, 'ResNeXt': 256,
           'ResNeXt_CIFAR': 256}


def build(kind='ResNet_CIFAR', **kwargs):
    torch.manual_seed(0)
    cfg = dict(type='ManifoldMixClassifier', backbone=BACKBONES[kind],
               neck=dict(type='GlobalAveragePooling'),
               head=dict(type='LinearClsHead', num_classes=K,
                         in_channels=HEAD_IN[kind], cal_acc=False,
                         loss=dict(type='CrossEntropyLoss', use_soft=True)))
    cfg.update(kwargs)
    return MODELS.build(cfg).train()


def fix_mixing(model, layer):
    ratios = torch.tensor([LAM, 1 - LAM])
    perms = torch.stack([torch.arange(4), PERM])
    model.sample_mixing = lambda b, device=None: (layer, ratios, perms)


def samples(labels=(0, 1, 2, 4)):
    return [DataSample().set_gt_label(y) for y in labels]


def next_module(model, layer):
    """The module whose input is the hidden state after ``layer``."""
    names = model.stage_names
    if layer == 0:
        return model.backbone
    if layer < len(names):
        return getattr(model.backbone, names[layer])
    return model.neck


def first(x):
    """The tensor a module received (the neck gets the backbone's tuple)."""
    return (x[-1] if isinstance(x, tuple) else x).detach().clone()


def hidden(model, x, layer):
    """Unmixed hidden state after ``layer`` (plain backbone forward)."""
    if layer == 0:
        return x
    out = {}
    stage = getattr(model.backbone, model.stage_names[layer - 1])
    handle = stage.register_forward_hook(
        lambda m, a, o: out.setdefault('h', o.detach().clone()))
    model.backbone(x)
    handle.remove()
    return out['h']


@pytest.mark.parametrize('layer', [0, 1, 2, 4])
@pytest.mark.parametrize('kind', sorted(BACKBONES))
def test_hidden_state_is_mixed_at_the_drawn_layer(kind, layer):
    model = build(kind, layers=(0, 1, 2, 3, 4))
    x = torch.randn(4, 3, 32, 32)
    h = hidden(model, x, layer)
    seen = {}
    handle = next_module(model, layer).register_forward_pre_hook(
        lambda m, args: seen.setdefault('h', first(args[0])))
    fix_mixing(model, layer)
    model.loss(x, samples())
    handle.remove()
    expected = LAM * h + (1 - LAM) * h[PERM]
    torch.testing.assert_close(seen['h'], expected, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(seen['h'], h, atol=1e-3)  # really mixed
    # the hook lives for one step only: no hook left, predict is unmixed
    assert all(not getattr(model.backbone, n)._forward_hooks
               for n in model.stage_names)


def test_labels_mix_by_lam_and_sum_to_one():
    model = build()
    fix_mixing(model, 2)
    data = samples()
    model.loss(torch.randn(4, 3, 32, 32), data)
    y = F.one_hot(torch.tensor([0, 1, 2, 4]), K).float()
    scores = torch.stack([s.gt_score for s in data])
    torch.testing.assert_close(scores, LAM * y + (1 - LAM) * y[PERM])
    torch.testing.assert_close(scores.sum(1), torch.ones(4))
    # already-soft targets (gt_score) are mixed the same way
    soft = torch.softmax(torch.randn(4, K), 1)
    data = [DataSample().set_gt_score(s) for s in soft]
    model.loss(torch.randn(4, 3, 32, 32), data)
    scores = torch.stack([s.gt_score for s in data])
    torch.testing.assert_close(scores, LAM * soft + (1 - LAM) * soft[PERM])


@pytest.mark.parametrize('layer', [0, 2])
def test_gradient_reaches_every_backbone_parameter(layer):
    model = build()
    fix_mixing(model, layer)
    losses = model.loss(torch.randn(4, 3, 32, 32), samples())
    sum(v for v in losses.values()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_hook_removed_when_the_forward_fails(monkeypatch):
    model = build()
    fix_mixing(model, 1)

    def fail(*args):
        raise RuntimeError('forward failed after the mixed stage')

    # fails inside the forward, after the hooked stage (a bad label is now
    # refused before the hook is registered)
    monkeypatch.setattr(model.neck, 'forward', fail)
    with pytest.raises(RuntimeError, match='after the mixed stage'):
        model.loss(torch.randn(4, 3, 32, 32), samples((0, 1, 2, 3)))
    stage = getattr(model.backbone, model.stage_names[0])
    assert not stage._forward_hooks


def test_draws_every_configured_layer_and_lam_from_beta():
    model = build(layers=(0, 2, 3), alpha=2.0)
    torch.manual_seed(1)
    draws = [model.sample_mixing(4) for _ in range(200)]
    assert {k for k, _, _ in draws} == {0, 2, 3}
    lams = torch.stack([r[0] for _, r, _ in draws])
    assert ((lams > 0) & (lams < 1)).all()
    assert abs(lams.mean().item() - 0.5) < 0.06
    for _, ratios, perms in draws[:5]:
        torch.testing.assert_close(ratios.sum(), torch.tensor(1.))
        assert perms[0].tolist() == [0, 1, 2, 3]
        assert sorted(perms[1].tolist()) == [0, 1, 2, 3]


@pytest.mark.parametrize('layers', [(0, 5), (-1, ), (), (1, 1), (1.0, ),
                                    (True, ), 2])
def test_bad_layer_index_fails_at_build(layers):
    with pytest.raises(ValueError, match=r'layers must be distinct ints in '
                       r'\[0, 4\].*ResNet_CIFAR'):
        build(layers=layers)


def test_layer_after_the_last_output_stage_is_refused():
    cfg = dict(BACKBONES['ResNet_CIFAR'], out_indices=(1, ))
    with pytest.raises(ValueError, match=r'\[0, 2\].*out_indices=\(1,\)'):
        MODELS.build(dict(
            type='ManifoldMixClassifier', backbone=cfg, layers=(0, 3),
            head=dict(type='LinearClsHead', num_classes=K, in_channels=8,
                      cal_acc=False)))


def test_backbone_without_stages_is_named_in_the_error():
    with pytest.raises(ValueError, match='backbone ConvNeXt has no such'):
        MODELS.build(dict(
            type='ManifoldMixClassifier',
            backbone=dict(type='ConvNeXt', arch=dict(depths=[1, 1, 1, 1],
                                                     channels=[8, 8, 8, 8])),
            head=dict(type='LinearClsHead', num_classes=K, in_channels=8,
                      cal_acc=False)))


@pytest.mark.parametrize('bad, match', [
    (dict(alpha=0.0), 'alpha must be a number > 0'),
    (dict(train_cfg=dict(augments=dict(type='Mixup', alpha=1.0))),
     'remove `train_cfg'),
    (dict(data_preprocessor=dict(
        type='ClsDataPreprocessor', num_classes=K,
        batch_augments=dict(augments=dict(type='Mixup', alpha=1.0)))),
     'batch_augments must be None'),
    (dict(head=dict(type='LinearClsHead', num_classes=K, in_channels=32,
                    cal_acc=True)), 'cal_acc=False'),
])
def test_bad_arguments(bad, match):
    with pytest.raises(ValueError, match=match):
        build(**bad)
