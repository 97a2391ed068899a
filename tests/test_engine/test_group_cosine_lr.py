"""GroupCosineAnnealingLR: the Mix Block's own LR floor, against the closed
form and against MMEngine's CosineAnnealingLR where no group has a floor."""
import math

import pytest
import torch.nn as nn
from mmengine.optim import build_optim_wrapper
from mmengine.optim.scheduler import CosineAnnealingLR, LinearLR
from mmpretrain.registry import PARAM_SCHEDULERS

import adautomix_mm  # noqa: F401


class Toy(nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(3, 3)
        self.mix_block = nn.Linear(3, 1)


def fine_grained_wrapper(mix_floor=1e-3):
    """The fine-grained recipes' optimizer: classifier lr 1e-3, Mix Block
    100 x = 0.1 with its own floor."""
    custom = dict(lr_mult=100.0)
    if mix_floor is not None:
        custom['eta_min'] = mix_floor
    return build_optim_wrapper(Toy(), dict(
        optimizer=dict(type='SGD', lr=1e-3, momentum=0.9),
        paramwise_cfg=dict(custom_keys={'mix_block': custom})))


def lrs_by_module(wrapper):
    """``{'backbone': lr, 'mix_block': lr}`` (one lr per module)."""
    out = {}
    for group in wrapper.optimizer.param_groups:
        name = 'mix_block' if group['params'][0].shape[0] == 1 else 'backbone'
        out.setdefault(name, set()).add(group['lr'])
    assert all(len(v) == 1 for v in out.values()), out
    return {k: v.pop() for k, v in out.items()}


def run(wrapper, scheduler, steps):
    seq = [lrs_by_module(wrapper)]
    for _ in range(steps):
        scheduler.step()
        seq.append(lrs_by_module(wrapper))
    return seq


def cosine(t, t_max, base, floor):
    return floor + (base - floor) * (1 + math.cos(math.pi * t / t_max)) / 2


def test_each_group_follows_the_closed_form_to_its_own_floor():
    wrapper = fine_grained_wrapper(mix_floor=1e-3)
    sched = PARAM_SCHEDULERS.build(dict(
        type='GroupCosineAnnealingLR', optimizer=wrapper, T_max=10,
        eta_min=0.0, by_epoch=False))
    seq = run(wrapper, sched, 10)
    for t, lrs in enumerate(seq):
        assert lrs['backbone'] == pytest.approx(cosine(t, 10, 1e-3, 0.0),
                                                abs=1e-12)
        assert lrs['mix_block'] == pytest.approx(cosine(t, 10, 0.1, 1e-3),
                                                 abs=1e-12)
    assert seq[-1]['mix_block'] == pytest.approx(1e-3)
    assert seq[-1]['backbone'] == pytest.approx(0.0, abs=1e-15)


def test_without_group_floors_it_is_mmengines_cosine():
    ours_w, theirs_w = fine_grained_wrapper(None), fine_grained_wrapper(None)
    ours = PARAM_SCHEDULERS.build(dict(
        type='GroupCosineAnnealingLR', optimizer=ours_w, T_max=7,
        eta_min=1e-5, by_epoch=False))
    theirs = CosineAnnealingLR(theirs_w, T_max=7, eta_min=1e-5,
                               by_epoch=False)
    # past T_max too: the restart branch of the chainable form
    assert run(ours_w, ours, 20) == run(theirs_w, theirs, 20)


def test_after_a_warm_up_each_group_anneals_towards_its_floor():
    wrapper = fine_grained_wrapper(mix_floor=5e-5)
    warm = LinearLR(wrapper, start_factor=0.01, begin=0, end=5,
                    by_epoch=False)
    sched = PARAM_SCHEDULERS.build(dict(
        type='GroupCosineAnnealingLR', optimizer=wrapper, T_max=10,
        eta_min=1e-4, begin=5, end=15, by_epoch=False))
    for _ in range(15):
        warm.step()
        sched.step()
    # The warm-up ends at the base LRs; steps 5..14 are cosine steps 0..9.
    lrs = lrs_by_module(wrapper)
    assert lrs['mix_block'] == pytest.approx(cosine(9, 10, 0.1, 5e-5))
    assert lrs['backbone'] == pytest.approx(cosine(9, 10, 1e-3, 1e-4))


def test_bad_group_floor_names_the_key():
    wrapper = fine_grained_wrapper(mix_floor=-1.0)
    with pytest.raises(ValueError, match='eta_min=-1.0'):
        PARAM_SCHEDULERS.build(dict(
            type='GroupCosineAnnealingLR', optimizer=wrapper, T_max=10,
            by_epoch=False))
