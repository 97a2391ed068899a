"""AutoMix's reference options beyond the CIFAR recipe: ``head_one_mix``
(the one-hot branch on a Mixup/CutMix sample) and SAMix's eta-balanced
generator loss (``generator_loss='eta_balanced_bce'``): which head gets
which loss, values against hand computations, and gradient isolation."""
import math

import pytest
import torch
import torch.nn.functional as F

from adautomix_mm.models.utils.eta_balanced_loss import eta_balanced_bce

from helpers.automix_oracle import (CLS_KEYS, generator_step_by_hand,
                                    grads_after)
from helpers.tiny_models import NUM_CLASSES, assert_gradient_only_in
from helpers.tiny_models import automix as build
from helpers.tiny_models import tiny_batch as batch


# ------------------------------------------------------------ head_one_mix
class _Spy:
    """Wraps the model's one-hot mixer, forcing one branch and recording
    what it returned."""

    def __init__(self, mixer, branch):
        self.mixer, self.branch, self.calls = mixer, branch, []

    def __call__(self, x, y):
        x_in = x.clone()
        out = self.mixer.augments[self.branch](x, y)
        self.calls.append((x_in, out[0].detach().clone(), out[1].clone()))
        return out


@pytest.mark.parametrize('branch', [0, 1], ids=['mixup', 'cutmix'])
def test_head_one_mix_trains_the_one_hot_head_on_mixup_or_cutmix(branch):
    model = build(head_one_mix=True)
    augments = model.one_hot_mixer.augments
    # The reference's pair, 50/50: Mixup alpha 0.8, CutMix alpha 1.0.
    assert [type(a).__name__ for a in augments[:2]] == ['Mixup', 'CutMix']
    assert [a.alpha for a in augments[:2]] == [0.8, 1.0]
    assert model.one_hot_mixer.probs[:2] == [0.5, 0.5]
    spy = _Spy(model.one_hot_mixer, branch)
    model.one_hot_mixer = spy
    inputs = []
    handle = model.backbone.register_forward_hook(
        lambda m, inp, out: inputs.append(inp[0].detach().clone()))
    x, samples = batch()
    x_orig = x.clone()
    model.set_schedule_state(True, 0.0)
    torch.manual_seed(7)
    losses = model.loss(x, samples)
    handle.remove()
    assert len(spy.calls) == 1
    x_in, x_one, y_one = spy.calls[0]
    torch.testing.assert_close(x, x_orig)  # CutMix worked on a copy
    torch.testing.assert_close(x_in, x)
    # The mixed sample and labels really are mixed.
    assert not torch.allclose(x_one, x)
    y = F.one_hot(torch.arange(x.size(0)) % NUM_CLASSES, NUM_CLASSES).float()
    torch.testing.assert_close(y_one.sum(1), torch.ones(x.size(0)))
    assert not torch.allclose(y_one, y)
    # Online passes: [classifier's AutoMix sample, one-hot sample].
    assert len(inputs) == 2
    torch.testing.assert_close(inputs[1], x_one)
    with torch.no_grad():
        logits = model.head(model.neck(model.backbone(x_one)))
    torch.testing.assert_close(
        losses['loss_one'], -(y_one * logits.log_softmax(1)).sum(1).mean(),
        rtol=1e-4, atol=1e-5)


def test_head_one_mix_off_keeps_the_clean_batch():
    model = build()
    assert model.one_hot_mixer is None
    inputs = []
    handle = model.backbone.register_forward_hook(
        lambda m, inp, out: inputs.append(inp[0].detach().clone()))
    x, samples = batch()
    model.set_schedule_state(True, 0.0)
    torch.manual_seed(7)
    model.loss(x, samples)
    handle.remove()
    torch.testing.assert_close(inputs[1], x)


def _head_grads(model, key):
    grads_after(model, (key, ))
    norm = lambda mod: sum(  # noqa: E731
        float(p.grad.abs().sum()) for p in mod.parameters()
        if p.grad is not None)
    return norm(model.head), norm(model.mix_head)


@pytest.mark.parametrize('head_one_mix', [False, True])
def test_each_classifier_loss_reaches_its_own_head(head_one_mix):
    model = build(head_one_mix=head_one_mix)
    one_head, mix_head = _head_grads(model, 'loss_one')
    assert one_head > 0 and mix_head == 0
    model = build(head_one_mix=head_one_mix)
    one_head, mix_head = _head_grads(model, 'loss_mix')
    assert one_head == 0 and mix_head > 0


@pytest.mark.parametrize('overrides', [
    dict(head_one_mix=True),
    dict(generator_loss='eta_balanced_bce', generator_eta=0.5),
], ids=['head_one_mix', 'eta_balanced_bce'])
def test_gradient_isolation_holds_with_the_options(overrides):
    model = build(mask_loss=1.0, **overrides)
    grads_after(model, CLS_KEYS)
    assert_gradient_only_in(model, 'online')

    model = build(mask_loss=1.0, **overrides)
    grads_after(model, ('loss_gen', ))
    assert_gradient_only_in(model, 'mix_block')


# ------------------------------------------------------- eta-balanced loss
def test_eta_balanced_bce_equals_hand_computation():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, -0.5, 1.5]])
    # row 0: 0.7 / 0.3 mix of classes 0 and 1; row 1: both sources class 2
    targets = torch.tensor([[0.7, 0.3, 0.0], [0.0, 0.0, 1.0]])
    eta = 0.25

    def bce(z, y):
        s = 1.0 / (1.0 + math.exp(-z))
        return -(y * math.log(s) + (1.0 - y) * math.log(1.0 - s))

    row0 = bce(2.0, 0.7) + bce(0.0, 0.3) + eta * bce(-1.0, 0.0)
    row1 = eta * bce(0.5, 0.0) + eta * bce(-0.5, 0.0) + bce(1.5, 1.0)
    expected = (row0 + row1) / 2
    got = eta_balanced_bce(logits, targets, eta)
    assert abs(float(got) - expected) < 1e-6
    # eta = 1: plain BCE summed over classes, averaged over samples
    torch.testing.assert_close(
        eta_balanced_bce(logits, targets, 1.0),
        F.binary_cross_entropy_with_logits(logits, targets,
                                           reduction='sum') / 2)
    # eta acts: fewer negatives' weight, smaller loss here
    assert float(eta_balanced_bce(logits, targets, 0.0)) < float(got)
    with pytest.raises(ValueError, match='differ'):
        eta_balanced_bce(logits, targets[:, :2], eta)


def test_generator_loss_eta_balanced_on_the_teacher_logits():
    model = build(generator_loss='eta_balanced_bce', generator_eta=0.5)
    losses, _, logits, lam, perms, y = generator_step_by_hand(model)
    b = y.size(0)
    y_mix = lam[0] * y + lam[1] * y[perms[1]]
    s = logits.sigmoid()
    per_class = -(y_mix * s.log() + (1 - y_mix) * (1 - s).log())
    w = torch.where(y_mix > 0, 1.0, 0.5)
    torch.testing.assert_close(losses['loss_gen'],
                               (w * per_class).sum() / b, rtol=1e-4,
                               atol=1e-5)


@pytest.mark.parametrize('kw, key', [
    (dict(generator_loss='mixup_bal'), 'generator_loss'),
    (dict(generator_eta=1.5), 'generator_eta'),
    (dict(head_one_mix='yes'), 'head_one_mix'),
    (dict(partners_no_repeat=1), 'partners_no_repeat'),
])
def test_bad_option_values_name_the_key(kw, key):
    with pytest.raises(ValueError, match=key):
        build(**kw)


# ------------------------------------------------- on the Transformer nets
@pytest.mark.parametrize('name', ['swin', 'vit_deit_tiny'])
def test_options_train_through_train_step_on_transformers(name):
    """Both options together, one real ``train_step`` (raw uint8 batch,
    SGD) on the Transformer backbones the reference's ``head_one_mix`` was
    written for: finite losses, the one-hot and mix heads and the Mix Block
    all updated, the teacher untouched."""
    from mmengine.optim import OptimWrapper
    from mmpretrain.registry import MODELS
    from helpers.backbone_cases import BACKBONES
    from helpers.backbone_cases import automix_cfg as _model_cfg
    from helpers.backbone_cases import changed as _changed
    from helpers.backbone_cases import params as _params
    from helpers.backbone_cases import raw_batch as _batch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        backbone, _, head_channels, size = BACKBONES[name]
        torch.manual_seed(0)
        model = MODELS.build(_model_cfg(
            backbone, head_channels, head_one_mix=True,
            generator_loss='eta_balanced_bce', generator_eta=0.5))
        model.init_weights()
        model.train()
        model.set_schedule_state(True, 0.0)
        wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.05))
        before = {k: _params(getattr(model, k))
                  for k in ('head', 'mix_head', 'mix_block')}
        teacher = _params(model.teacher.module)
        log_vars = model.train_step(_batch(size, 0), wrapper)
        for key in ('loss_one', 'loss_mix', 'loss_gen', 'loss_mask'):
            assert math.isfinite(float(log_vars[key])), (key, log_vars)
        for k, params in before.items():
            assert _changed(params, _params(getattr(model, k))), k
        assert _changed(teacher, _params(model.teacher.module)) == []
    finally:
        torch.set_num_threads(threads)


# ------------------------------------------------------ partners_no_repeat
def test_partners_no_repeat_gives_the_generator_no_self_pairs(monkeypatch):
    from adautomix_mm.models.classifiers import automix as automix_module
    drawn = []
    real = automix_module._partners_no_repeat

    def spy(b, strict, tries=10):
        out = real(b, strict, tries)
        drawn.append((strict, out))
        return out

    monkeypatch.setattr(automix_module, '_partners_no_repeat', spy)
    model = build(partners_no_repeat=True)
    x, samples = batch(b=3)  # a random permutation of 3 has a fixed point
    model.set_schedule_state(True, 0.0)  # with probability 2/3
    for seed in range(20):
        torch.manual_seed(seed)
        model.loss(x, samples)
    assert [s for s, _ in drawn[:2]] == [False, True]  # classifier, generator
    ident = torch.arange(3)
    for strict, perms in drawn:
        assert torch.equal(perms[0], ident)
        assert sorted(perms[1].tolist()) == [0, 1, 2]
        if strict:
            assert not bool((perms[1] == ident).any())


def test_partners_no_repeat_fallback_is_a_cyclic_shift(monkeypatch):
    from adautomix_mm.models.classifiers import automix as automix_module
    # every permutation drawn is the identity: the retries fail
    monkeypatch.setattr(automix_module.torch, 'randperm',
                        lambda n, *a, **k: torch.arange(n))
    torch.manual_seed(0)
    strict = automix_module._partners_no_repeat(6, strict=True)
    k = int(strict[1, 0])
    assert 1 <= k <= 4
    assert torch.equal(strict[1], (torch.arange(6) + k) % 6)
    loose = automix_module._partners_no_repeat(6, strict=False)
    assert torch.equal(loose[1], torch.arange(6))  # kept, as the reference
