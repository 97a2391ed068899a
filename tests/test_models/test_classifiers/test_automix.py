"""AutoMix: gradient isolation, the generator's losses against a hand
computation, lam_margin, mask_adjust, switch_off, the schedule hooks driving
it, prediction and configuration errors."""
import copy
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmpretrain.registry import HOOKS

import adautomix_mm  # noqa: F401
from adautomix_mm.models.classifiers import automix as automix_module
from adautomix_mm.models.classifiers.automix import AutoMix
from adautomix_mm.models.utils import (mask_diagnostics, mix_linear,
                                       sample_partners)

from helpers.automix_oracle import (CLS_KEYS, draws, generator_step_by_hand,
                                    grads_after)
from helpers.tiny_models import (NUM_CLASSES, assert_gradient_only_in,
                                 check_predict_reports_both_networks)
from helpers.tiny_models import automix as build
from helpers.tiny_models import parameter_groups as groups
from helpers.tiny_models import tiny_batch as batch

GEN_KEYS = ('loss_gen', 'loss_mask')


def test_parameter_sets_and_teacher_frozen():
    model = build()
    g = groups(model)
    assert all(not p.requires_grad for p in g['teacher'])
    n_trainable = sum(p.requires_grad for p in model.parameters())
    assert n_trainable == len(g['online']) + len(g['mix_block'])
    assert model.mix_block.in_channels == 32  # inferred: stage 3 of width 8
    for (name, p) in model.teacher.module.named_parameters():
        torch.testing.assert_close(p, model.get_parameter(name))


def test_classifier_loss_reaches_only_the_online_network():
    model = build()
    grads_after(model, CLS_KEYS)
    assert_gradient_only_in(model, 'online')


@pytest.mark.parametrize('keys', [('loss_gen', ), ('loss_mask', )])
def test_generator_losses_reach_only_the_mix_block(keys):
    # lambda_g drawn far from the masks' mean share so the bound is active
    model = build(mask_loss=1.0)
    model.mix_block.mask_loss_margin = 0.0
    grads_after(model, keys)
    assert_gradient_only_in(model, 'mix_block')


def test_generator_losses_equal_hand_computation():
    model = build(mask_loss=0.5)
    model.mix_block.mask_loss_margin = 0.0
    losses, masks, logits, lam, perms, y = generator_step_by_hand(model)
    b = y.size(0)
    # Per-source weighted CE, lam CE(p, y) + (1 - lam) CE(p, y[pi]).
    logp = logits.log_softmax(1)
    ce = lambda yy: -(yy * logp).sum(1).mean()  # noqa: E731
    expected = lam[0] * ce(y) + lam[1] * ce(y[perms[1]])
    torch.testing.assert_close(losses['loss_gen'], expected, rtol=1e-4,
                               atol=1e-5)
    bound = (1 - masks[:, 1].mean() - lam[0]).abs()
    torch.testing.assert_close(losses['loss_mask'], 0.5 * bound, rtol=1e-4,
                               atol=1e-6)
    # The logged mask diagnostics describe these generator masks.
    fallback = bool((draws(3, b)[1] <= model.lam_margin).any())
    for key, value in mask_diagnostics(masks, lam, fallback).items():
        torch.testing.assert_close(losses[key], value, rtol=1e-4, atol=1e-6)
        assert not losses[key].requires_grad, key


def test_classifier_loss_is_mixup_ce_on_detached_generated_masks():
    model = build()
    x, samples = batch()
    captured = []
    handle = model.backbone.register_forward_hook(
        lambda m, inp, out: captured.append(inp[0].detach()))
    model.set_schedule_state(True, 0.0)
    snapshot = copy.deepcopy(model.state_dict())
    torch.manual_seed(4)
    losses = model.loss(x, samples)
    handle.remove()
    model.load_state_dict(snapshot)
    _, lam, perms, _ = draws(4, x.size(0))
    assert float(lam.min()) > 0.08, 'seed must avoid the lam_margin fallback'
    with torch.no_grad():
        z = model.teacher.module['backbone'](x)[0]
        masks = model.mix_block(z[perms].transpose(0, 1), lam, (16, 16))
    x_mix = masks[:, :1] * x + masks[:, 1:] * x[perms[1]]
    torch.testing.assert_close(captured[0], x_mix, rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        logits = model.mix_head(model.neck(model.backbone(x_mix)))
    y = F.one_hot(torch.arange(x.size(0)) % NUM_CLASSES, NUM_CLASSES).float()
    y_mix = lam[0] * y + lam[1] * y[perms[1]]
    torch.testing.assert_close(
        losses['loss_mix'], -(y_mix * logits.log_softmax(1)).sum(1).mean(),
        rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('lam', [[0.05, 0.95], [0.93, 0.07], [0.08, 0.92]])
def test_lam_margin_gives_linear_mixup_for_the_classifier(lam, monkeypatch):
    lam = torch.tensor(lam)
    model = build(lam_margin=0.08)
    monkeypatch.setattr(automix_module, 'sample_ratios',
                        lambda *a, **k: lam.clone())
    captured = []
    handle = model.backbone.register_forward_hook(
        lambda m, inp, out: captured.append(inp[0].detach()))
    x, samples = batch()
    model.set_schedule_state(True, 0.0)
    torch.manual_seed(5)
    model.loss(x, samples)
    handle.remove()
    torch.manual_seed(5)
    perms = sample_partners(2, x.size(0), keep_first=True)
    torch.testing.assert_close(captured[0], mix_linear(x, perms, lam))


def test_adjust_masks_matches_each_sample_share_to_lambda():
    m1 = torch.tensor([[[0.9, 0.7], [0.8, 0.6]],    # mean 0.75 > 0.4
                       [[0.1, 0.3], [0.2, 0.2]],    # mean 0.2 < 0.4
                       [[0.4, 0.4], [0.4, 0.4]]])   # mean 0.4 = lambda
    masks = torch.stack([m1, 1 - m1], 1)
    out = AutoMix.adjust_masks(masks, 0.4)
    torch.testing.assert_close(out[:, 0].mean((1, 2)),
                               torch.full((3, ), 0.4), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(out.sum(1), torch.ones(3, 2, 2))
    # scaled down: M_1 * lambda / mean; scaled up through M_2
    torch.testing.assert_close(out[0, 0], m1[0] * 0.4 / 0.75)
    torch.testing.assert_close(out[1, 1], (1 - m1[1]) * 0.6 / 0.8)
    torch.testing.assert_close(out[2], masks[2])


@pytest.mark.parametrize('ratio', ['classifier', 'generator'])
def test_mask_adjust_uses_the_named_ratio(ratio, monkeypatch):
    model = build(mask_adjust=1.0, mask_adjust_ratio=ratio, lam_margin=0.0)
    seen = []
    original = AutoMix.adjust_masks
    monkeypatch.setattr(model, 'adjust_masks',
                        lambda m, lam: seen.append(lam) or original(m, lam))
    grads_after(model, CLS_KEYS, seed=6)
    lam_g, lam_c, _, _ = draws(6, 6)
    want = lam_c if ratio == 'classifier' else lam_g
    assert seen == [pytest.approx(float(want[0]))]


def test_generator_stopped_keeps_mix_block_in_graph_with_zero_grad():
    model = build()
    losses = grads_after(model, GEN_KEYS, enabled=False)
    assert float(losses['loss_gen']) == 0.0 and float(losses['loss_mask']) == 0
    assert all(p.grad is not None and p.grad.abs().sum() == 0
               for p in model.mix_block.parameters())


def test_switch_off_skips_the_teacher_pass_but_keeps_the_mask_loss():
    calls = []
    model = build(switch_off=1.0, switch_off_annealing='cosine', mask_loss=1.0)
    model.mix_block.mask_loss_margin = 0.0
    model.teacher.module['backbone'].register_forward_hook(
        lambda *a: calls.append(1))
    # progress 1: keep probability switch_off * (cos(pi) + 1) / 2 = 0
    late = grads_after(model, GEN_KEYS, progress=1.0)
    assert len(calls) == 1  # only the clean feature pass
    assert float(late['loss_gen']) == 0.0 and float(late['loss_mask']) > 0
    assert all(p.grad is not None for p in model.mix_block.parameters())
    calls.clear()
    early = grads_after(model, GEN_KEYS, progress=0.0)  # keep prob. 1
    assert len(calls) == 2 and float(early['loss_gen']) > 0
    # the reference's switch_off (no annealing) is a constant probability
    const = build(switch_off=0.5)
    const.set_schedule_state(True, 1.0)
    torch.manual_seed(0)
    runs = sum(const._generator_pass_runs() for _ in range(400))
    assert 150 < runs < 250


def test_schedule_hooks_drive_automix():
    model = build(mask_loss=0.1)
    hub = MessageHub.get_instance('automix_hooks')
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    runner = SimpleNamespace(model=model, iter=0, max_iters=100,
                             message_hub=hub, optim_wrapper=optim)
    sched = HOOKS.build(dict(type='MomentumScheduleHook', momentum=0.9,
                             end_momentum=0.99, generator_off=0.5))
    mask = HOOKS.build(dict(type='MaskLossScheduleHook', end=0.0))
    sched.before_train(runner)
    mask.before_train(runner)
    for t, enabled, weight in ((0, True, 0.1), (50, False, 0.05),
                               (100, False, 0.0)):
        runner.iter = t
        sched.before_train_iter(runner, t)
        mask.before_train_iter(runner, t)
        assert model.generator_enabled is enabled
        assert model.progress == pytest.approx(t / 100)
        assert model.mask_loss == pytest.approx(weight, abs=1e-12)
    assert model.mask_loss_init == 0.1
    # after an optimizer step the teacher moves by the scheduled momentum
    before = [p.clone() for p in model.teacher.module.parameters()]
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(1.0)
    runner.iter = 0
    sched.after_train_iter(runner, 0)
    p0 = next(model.teacher.module.parameters())
    torch.testing.assert_close(
        p0, 0.9 * before[0] + 0.1 * next(model.backbone.parameters()))
    # the adversarial hook refuses AutoMix (no game state), by name
    adv = HOOKS.build(dict(type='AdversarialOptimizerHook'))
    with pytest.raises(TypeError, match='set_game_state'):
        adv.before_train(runner)
    with pytest.raises(ValueError, match='end'):
        HOOKS.build(dict(type='MaskLossScheduleHook', end=-1))


def test_predict_reports_both_networks_and_preview():
    model = build()
    x = check_predict_reports_both_networks(model)
    prev = model.mix_preview(x)
    assert prev['masks'].shape == (6, 2, 16, 16)
    assert prev['sources'].shape == (6, 2, 3, 16, 16)
    torch.testing.assert_close(
        prev['mixed'], (prev['masks'].unsqueeze(2) * prev['sources']).sum(1))


def test_training_without_the_schedule_hook_is_an_error():
    model = build()
    x, samples = batch()
    with pytest.raises(RuntimeError, match='MomentumScheduleHook'):
        model.loss(x, samples)


def test_bad_configuration_errors_name_the_key():
    for kw, key in ((dict(alpha=0), 'alpha'), (dict(mask_loss=-1), 'mask_loss'),
                    (dict(mask_adjust=2), 'mask_adjust'),
                    (dict(mask_adjust_ratio='mixed'), 'mask_adjust_ratio'),
                    (dict(lam_margin=0.5), 'lam_margin'),
                    (dict(switch_off=1.5), 'switch_off'),
                    (dict(switch_off_annealing='linear'),
                     'switch_off_annealing')):
        with pytest.raises(ValueError, match=key):
            build(**kw)
    with pytest.raises(TypeError, match='mask_layer'):
        build(mask_layer=2)  # the reference's key: a Mix Block option here
    with pytest.raises(ValueError, match='mask_loss'):
        build(mix_block=dict(type='AttentionMixBlock'))
    with pytest.raises(ValueError, match='train_cfg'):
        build(train_cfg=dict(augments=[dict(type='Mixup', alpha=1.0)]))
