"""AdAutoMix: gradient isolation, the generator objective against a hand
computation, the phase's sign, lam_margin, the EMA teacher and prediction."""
import copy

import pytest
import torch
import torch.nn.functional as F

import adautomix_mm  # noqa: F401
from adautomix_mm.models.classifiers import adautomix as adautomix_module
from adautomix_mm.models.utils import (TeacherEMA, mix_linear, mix_with_masks,
                                       sample_partners, sample_ratios)

from helpers.tiny_models import (NUM_CLASSES, assert_gradient_only_in,
                                 check_predict_reports_both_networks,
                                 generator_draws)
from helpers.tiny_models import adautomix as build
from helpers.tiny_models import parameter_groups as groups
from helpers.tiny_models import tiny_batch as batch

CLS_KEYS = ('loss_amix', 'loss_one', 'loss_vmix')


def grads_after(model, keys, adversarial=True, seed=3):
    model.zero_grad(set_to_none=True)
    model.set_game_state(adversarial, True)
    x, samples = batch()
    torch.manual_seed(seed)
    losses = model.loss(x, samples)
    sum(losses[k] for k in keys if k in losses).backward()
    return losses


def test_parameter_sets_and_teacher_frozen():
    model = build()
    g = groups(model)
    assert all(not p.requires_grad for p in g['teacher'])
    n_trainable = sum(p.requires_grad for p in model.parameters())
    assert n_trainable == len(g['online']) + len(g['mix_block'])
    # The teacher starts as an exact copy of the initialised online network.
    for (name, p) in model.teacher.module.named_parameters():
        torch.testing.assert_close(p, model.get_parameter(name))


@pytest.mark.parametrize('adversarial', [False, True])
def test_classifier_loss_reaches_only_the_online_network(adversarial):
    model = build()
    grads_after(model, CLS_KEYS, adversarial)
    assert_gradient_only_in(model, 'online')


@pytest.mark.parametrize('adversarial', [False, True])
def test_generator_loss_reaches_only_the_mix_block(adversarial):
    model = build()
    grads_after(model, ('loss_gen', ), adversarial)
    assert_gradient_only_in(model, 'mix_block')


def test_generator_gradient_sign_flips_with_the_phase():
    # beta_radio=1: adversarial L_G = -L_tmix exactly, cooperative = +L_tmix.
    model = build(beta_radio=1.0)
    snapshot = copy.deepcopy(model.state_dict())
    coop = grads_after(model, ('loss_gen', ), adversarial=False)
    g_coop = [p.grad.clone() for p in model.mix_block.parameters()]
    model.load_state_dict(snapshot)  # same teacher BN statistics
    adv = grads_after(model, ('loss_gen', ), adversarial=True)
    g_adv = [p.grad.clone() for p in model.mix_block.parameters()]
    torch.testing.assert_close(adv['loss_gen'], -coop['loss_gen'])
    for a, c in zip(g_adv, g_coop):
        assert c.abs().sum() > 0
        torch.testing.assert_close(a, -c)


@pytest.mark.parametrize('cos_sign', [1.0, -1.0])
def test_adversarial_generator_loss_equals_hand_computation(cos_sign):
    beta = 0.3
    model = build(beta_radio=beta, cos_sign=cos_sign)
    x, samples = batch()
    model.set_game_state(True, True)
    snapshot = copy.deepcopy(model.state_dict())
    torch.manual_seed(3)
    losses = model.loss(x, samples)

    # Replay the same draws in the order loss() makes them.
    model.load_state_dict(snapshot)
    n, b = 3, x.size(0)
    lam, perms = generator_draws(3, n, b)
    t = model.teacher.module
    with torch.no_grad():
        feats = t['backbone'](x)
        clean = t['mix_head'](t['neck'](feats))
        masks = model.mix_block(feats[0][perms].transpose(0, 1), lam, (16, 16))
        x_mix = (masks.unsqueeze(2) * x[perms].transpose(0, 1)).sum(1)
        logits = t['mix_head'](t['neck'](t['backbone'](x_mix)))
    y = F.one_hot(torch.arange(b) % NUM_CLASSES, NUM_CLASSES).float()
    y_mix = sum(lam[i] * y[perms[i]] for i in range(n))
    ce = -(y_mix * logits.log_softmax(1)).sum(1).mean()
    sim = sum(lam[i] * F.cosine_similarity(logits, clean[perms[i]], dim=1)
              for i in range(n)).mean()
    expected = -beta * ce + cos_sign * (1 - beta) * sim
    torch.testing.assert_close(losses['loss_gen'], expected, rtol=1e-4,
                               atol=1e-5)


def test_classifier_losses_weights_for_three_images():
    model = build(mixup_radio=0.25)
    losses = grads_after(model, CLS_KEYS)
    x, samples = batch()
    with torch.no_grad():
        clean = model.head_loss(model.head, model.neck(model.backbone(x)),
                                model.onehot_targets(samples, 'cpu'))
    # loss_one = (1 - r) * CE(clean); the N=3 path adds loss_vmix.
    torch.testing.assert_close(losses['loss_one'], 0.75 * clean, rtol=1e-5,
                               atol=1e-6)
    assert 'loss_vmix' in losses
    two = build(mix_samples=2)
    l2 = grads_after(two, CLS_KEYS)
    # N is constant (logged once at build), not a per-iteration scalar
    assert 'loss_vmix' not in l2 and 'mix_samples' not in l2


@pytest.mark.parametrize('lam', [[0.01, 0.99], [0.99, 0.01],
                                 [0.02, 0.49, 0.49], [0.97, 0.02, 0.01],
                                 [0.49, 0.49, 0.02]])
def test_lam_margin_gives_constant_classifier_masks(lam, monkeypatch):
    lam = torch.tensor(lam)
    n = lam.numel()
    model = build(mix_samples=n, lam_margin=0.03)
    monkeypatch.setattr(adautomix_module, 'sample_ratios',
                        lambda *a, **k: lam.clone())
    calls = []
    original = model.generate_masks
    monkeypatch.setattr(model, 'generate_masks',
                        lambda *a: calls.append(1) or original(*a))
    captured = []
    handle = model.backbone.register_forward_hook(
        lambda m, inp, out: captured.append(inp[0].detach()))
    x, samples = batch()
    model.set_game_state(False, True)
    torch.manual_seed(5)
    model.loss(x, samples)
    handle.remove()
    # Only the generator's sample used the Mix Block.
    assert len(calls) == 1
    # The classifier's first online input is the *linear* N-way mixup.
    torch.manual_seed(5)
    perms = sample_partners(n, x.size(0), keep_first=n == 2)
    torch.testing.assert_close(captured[0], mix_linear(x, perms, lam))


def test_lam_margin_modes():
    any_mode = build(lam_margin=0.03)
    first = build(lam_margin=0.03, lam_margin_mode='first')
    inner = torch.tensor([0.5, 0.48, 0.02])
    assert any_mode._margin_hit(inner) and not first._margin_hit(inner)
    lead = torch.tensor([0.02, 0.49, 0.49])
    assert any_mode._margin_hit(lead) and first._margin_hit(lead)
    ok = torch.tensor([0.3, 0.3, 0.4])
    assert not any_mode._margin_hit(ok) and not first._margin_hit(ok)
    zero = build(lam_margin=0.0)
    assert not zero._margin_hit(torch.tensor([0.001, 0.999]))


def test_generator_switched_off_keeps_mix_block_in_graph_with_zero_grad():
    model = build()
    model.zero_grad(set_to_none=True)
    model.set_game_state(False, False)
    x, samples = batch()
    losses = model.loss(x, samples)
    assert float(losses['loss_gen']) == 0.0
    losses['loss_gen'].backward()
    assert all(p.grad is not None and p.grad.abs().sum() == 0
               for p in model.mix_block.parameters())


def test_ema_update_equals_closed_form():
    model = build()
    online = {n: p.detach().clone() for n, p in model.named_parameters()
              if not n.startswith(('teacher', 'mix_block'))}
    teacher_before = {n: p.clone() for n, p
                      in model.teacher.module.named_parameters()}
    buffers_before = {n: b.clone() for n, b
                      in model.teacher.module.named_buffers()}
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(torch.randn_like(p))
        for b in model.backbone.buffers():
            if b.dtype.is_floating_point:
                b.add_(1.0)
    m = 0.9
    model.update_teacher(m)
    for name, p in model.teacher.module.named_parameters():
        q = model.get_parameter(name)
        torch.testing.assert_close(p, m * teacher_before[name] + (1 - m) * q)
    # 'own' (reference): the update leaves the teacher's buffers alone.
    for name, b in model.teacher.module.named_buffers():
        torch.testing.assert_close(b, buffers_before[name])
    assert online  # sanity: parameters were found


@pytest.mark.parametrize('mode', ['copy', 'average'])
def test_teacher_buffer_modes(mode):
    src = torch.nn.BatchNorm1d(3)
    ema = TeacherEMA(src, teacher_momentum=0.5, buffer_mode=mode)
    src.running_mean.fill_(2.0)
    ema.update_parameters(src)
    want = 2.0 if mode == 'copy' else 1.0  # average: 0.5*0 + 0.5*2
    torch.testing.assert_close(ema.module.running_mean, torch.full((3, ), want))


def test_teacher_receives_no_gradient_and_teacher_bn_uses_own_batches():
    model = build()
    before = model.teacher.module['backbone'].bn1.running_mean.clone()
    grads_after(model, ('loss_gen', ) + CLS_KEYS)
    after = model.teacher.module['backbone'].bn1.running_mean
    assert not torch.allclose(before, after)  # teacher's own forwards
    assert all(p.grad is None for p in model.teacher.parameters())


def test_predict_reports_both_networks_and_defaults_to_ema():
    model = build()
    x = check_predict_reports_both_networks(model)
    model.predict_network = 'online'
    torch.testing.assert_close(model(x, mode='tensor'), model.head(
        model.neck(model.backbone(x))))


def test_random_number_of_images():
    model = build(mix_samples=4, is_random=True)
    seen = set()
    x, samples = batch()
    for seed in range(12):
        torch.manual_seed(seed)
        seen.add(model._sample_num_mix())
    assert seen == {2, 3, 4}


def test_mixing_helpers_numbers():
    x = torch.arange(3.).view(3, 1, 1, 1).expand(3, 1, 2, 2)
    perms = torch.tensor([[0, 1, 2], [2, 0, 1]])
    lam = torch.tensor([0.25, 0.75])
    mixed = mix_linear(x, perms, lam)
    torch.testing.assert_close(mixed[:, 0, 0, 0],
                               torch.tensor([1.5, 0.25, 1.25]))
    masks = torch.zeros(3, 2, 2, 2)
    masks[:, 1] = 1.0
    torch.testing.assert_close(mix_with_masks(x, perms, masks), x[perms[1]])
    r = sample_ratios(3, 1.0, 'dirichlet')
    assert r.shape == (3, ) and abs(float(r.sum()) - 1) < 1e-6
    r2 = sample_ratios(2, 2.0, 'beta_normalized')
    torch.testing.assert_close(r2.sum(), torch.tensor(1.0))
    p = sample_partners(2, 5, keep_first=True)
    assert torch.equal(p[0], torch.arange(5))
    assert sorted(p[1].tolist()) == list(range(5))


def test_training_without_the_game_hook_is_an_error():
    model = build()
    x, samples = batch()
    with pytest.raises(RuntimeError, match='AdversarialOptimizerHook'):
        model.loss(x, samples)
    model.set_game_state(False, True)
    assert 'loss_gen' in model.loss(x, samples)


def test_bad_configuration_errors_name_the_key():
    with pytest.raises(ValueError, match='mix_samples'):
        build(mix_samples=1)
    with pytest.raises(ValueError, match="lam_sampler.*'uniform'"):
        build(lam_sampler='uniform')
    with pytest.raises(ValueError, match='cos_sign'):
        build(cos_sign=0.5)
    with pytest.raises(ValueError, match='teacher_buffers'):
        build(teacher_buffers='ema')
    with pytest.raises(ValueError, match='lam_margin_mode'):
        build(lam_margin_mode='all')
    with pytest.raises(TypeError, match="replay_clean_bn.*'yes'"):
        build(replay_clean_bn='yes')
    with pytest.raises(TypeError, match='mixed_radio'):
        build(mixed_radio=0.5)
    with pytest.raises(ValueError, match='train_cfg'):
        build(train_cfg=dict(augments=[dict(type='Mixup', alpha=1.0)]))
    with pytest.raises(ValueError, match='mix_stage=5.*out_indices'):
        build(mix_stage=5)
