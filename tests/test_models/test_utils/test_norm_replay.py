"""The teacher's BN running statistics follow the reference's pass sequence
(clean, mixed, clean x N) although AdAutoMix makes one clean pass."""
import copy

import pytest
import torch
import torch.nn as nn
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401
from adautomix_mm.models.utils.norm_replay import (batch_stats_since,
                                                   replay_updates,
                                                   running_norm_layers,
                                                   snapshot)

from helpers.tiny_models import NUM_CLASSES, generator_draws
from helpers.tiny_models import adautomix as build


def bn_net(momentum):
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4,
                                                            momentum=momentum),
                         nn.ReLU(), nn.Conv2d(4, 2, 1),
                         nn.BatchNorm2d(2, momentum=momentum)).train()


def buffers(module):
    return {n: b.clone() for n, b in module.named_buffers()}


@pytest.mark.parametrize('momentum', [0.1, 0.3, None])
def test_replay_equals_repeated_passes(momentum):
    clean = torch.randn(8, 3, 6, 6) * 2 + 1
    mixed = torch.randn(8, 3, 6, 6) * 0.5
    explicit = bn_net(momentum)
    replayed = copy.deepcopy(explicit)
    with torch.no_grad():
        for x in (clean, clean, mixed, clean[torch.randperm(8)],
                  clean[torch.randperm(8)], clean[torch.randperm(8)]):
            explicit(x)
        layers = running_norm_layers(replayed)
        replayed(clean)  # an earlier iteration, so the snapshot is not 0/1
        before = snapshot(layers)
        replayed(clean)
        stats = batch_stats_since(layers, before)
        replayed(mixed)
        replay_updates(layers, stats, times=3)
    want, got = buffers(explicit), buffers(replayed)
    assert want.keys() == got.keys()
    for name in want:
        torch.testing.assert_close(got[name], want[name], rtol=1e-5,
                                   atol=1e-6)


def test_layers_that_did_not_run_are_left_alone_and_two_passes_rejected():
    net = bn_net(0.1)
    idle = nn.BatchNorm1d(3)
    layers = running_norm_layers(nn.ModuleList([net, idle]))
    assert len(layers) == 3
    before = snapshot(layers)
    with torch.no_grad():
        net(torch.randn(4, 3, 6, 6))
    stats = batch_stats_since(layers, before)
    assert stats[2] is None
    idle_before = buffers(idle)
    replay_updates(layers, stats, times=2)
    for name, b in idle.named_buffers():
        assert torch.equal(b, idle_before[name])
    before = snapshot(layers)
    with torch.no_grad():
        net(torch.randn(4, 3, 6, 6))
        net(torch.randn(4, 3, 6, 6))
    with pytest.raises(RuntimeError, match='updated 2 times'):
        batch_stats_since(layers, before)


def reference_teacher_buffers(model, x, seed, n):
    """Teacher buffers after the reference's teacher passes of one
    iteration, made explicitly: clean, mixed, then the N clean partners."""
    lam, perms = generator_draws(seed, n, x.size(0))
    t = model.teacher.module
    with torch.no_grad():
        z = t['backbone'](x)[0]
        masks = model.mix_block(z[perms].transpose(0, 1), lam, x.shape[-2:])
        t['backbone']((masks.unsqueeze(2) * x[perms].transpose(0, 1)).sum(1))
        for p in perms:
            t['backbone'](x[p])
    return buffers(t)


@pytest.mark.parametrize('replay', [True, False])
def test_adautomix_teacher_statistics_follow_the_reference(replay):
    model = build(replay_clean_bn=replay)
    explicit = copy.deepcopy(model)
    x = torch.randn(6, 3, 16, 16)
    samples = [DataSample().set_gt_label(i % NUM_CLASSES) for i in range(6)]
    model.set_game_state(False, True)
    torch.manual_seed(3)
    model.loss(x, samples)
    want = reference_teacher_buffers(explicit, x, seed=3, n=3)
    got = buffers(model.teacher.module)
    means = [k for k in want if k.endswith('running_var')]
    close = all(torch.allclose(got[k], want[k], rtol=1e-4, atol=1e-5)
                for k in means)
    assert close is replay
    # num_batches_tracked counts the reference's 1 + 1 + N passes.
    key = 'backbone.bn1.num_batches_tracked'
    assert int(got[key]) == (5 if replay else 2)
    assert int(want[key]) == 5


def test_no_replay_when_the_generator_is_off_or_buffers_are_not_own():
    x = torch.randn(6, 3, 16, 16)
    samples = [DataSample().set_gt_label(i % NUM_CLASSES) for i in range(6)]
    off = build()
    off.set_game_state(False, False)
    off.loss(x, samples)
    # The reference skips its mixed and clean teacher passes together.
    assert int(off.teacher.module['backbone'].bn1.num_batches_tracked) == 1
    copied = build(teacher_buffers='copy')
    copied.set_game_state(False, True)
    copied.loss(x, samples)
    assert int(copied.teacher.module['backbone'].bn1.num_batches_tracked) == 2


def test_replay_leaves_every_gradient_unchanged():
    x = torch.randn(6, 3, 16, 16)
    samples = [DataSample().set_gt_label(i % NUM_CLASSES) for i in range(6)]
    grads = {}
    for replay in (True, False):
        model = build(replay_clean_bn=replay)
        model.set_game_state(True, True)
        torch.manual_seed(3)
        losses = model.loss(x, samples)
        sum(v for k, v in losses.items() if k.startswith('loss')).backward()
        grads[replay] = {n: p.grad.clone() for n, p in model.named_parameters()
                         if p.grad is not None}
    assert grads[True].keys() == grads[False].keys()
    assert any(n.startswith('mix_block') for n in grads[True])
    for name, g in grads[True].items():
        torch.testing.assert_close(g, grads[False][name], rtol=0, atol=0)
