"""Mask diagnostics: hand-computed values on fixed masks, bad input, and
AdAutoMix logging them as non-loss, no-grad scalars of the generator's masks."""
import math

import pytest
import torch
from mmengine.model import BaseModel

from adautomix_mm.models.utils import (DIAGNOSTIC_KEYS, constant_masks,
                                       mask_diagnostics)

from helpers.tiny_models import adautomix as build
from helpers.tiny_models import generator_draws
from helpers.tiny_models import tiny_batch as batch

# Sample 0: a hard half / half-and-half mask; sample 1: constant masks.
HARD = torch.tensor([[[1.0, 0.0], [0.5, 0.5]],
                     [[0.0, 1.0], [0.5, 0.5]]])
LAM = torch.tensor([0.3, 0.7])


def test_hand_computed_values_for_one_sample():
    d = mask_diagnostics(HARD[None], LAM, fallback=False)
    assert set(d) == set(DIAGNOSTIC_KEYS)
    # ranges: 1 - 0 for both images
    torch.testing.assert_close(d['mask_spatial_range'], torch.tensor(1.0))
    # pixels: 0, 0, ln 2, ln 2 -> mean ln(2) / 2
    torch.testing.assert_close(d['mask_entropy'],
                               torch.tensor(math.log(2) / 2))
    # shares 0.5, 0.5 against 0.3, 0.7
    torch.testing.assert_close(d['mask_share_err'], torch.tensor(0.2))
    torch.testing.assert_close(d['mask_fallback_rate'], torch.tensor(0.0))


def test_per_sample_ratios_and_fallback_flags():
    masks = torch.stack([HARD, constant_masks(LAM, 1, (2, 2))[0]])
    lam = torch.stack([LAM, LAM])
    d = mask_diagnostics(masks, lam, fallback=torch.tensor([False, True]))
    h_const = -(0.3 * math.log(0.3) + 0.7 * math.log(0.7))
    torch.testing.assert_close(d['mask_spatial_range'], torch.tensor(0.5))
    torch.testing.assert_close(d['mask_entropy'],
                               torch.tensor((math.log(2) / 2 + h_const) / 2))
    torch.testing.assert_close(d['mask_share_err'], torch.tensor(0.1))
    torch.testing.assert_close(d['mask_fallback_rate'], torch.tensor(0.5))
    whole = mask_diagnostics(masks, LAM, fallback=True)
    torch.testing.assert_close(whole['mask_fallback_rate'], torch.tensor(1.0))


def test_three_images_uniform_masks_have_log3_entropy():
    masks = torch.full((2, 3, 4, 4), 1 / 3)
    d = mask_diagnostics(masks, torch.tensor([0.5, 0.25, 0.25]))
    torch.testing.assert_close(d['mask_entropy'], torch.tensor(math.log(3)))
    torch.testing.assert_close(d['mask_spatial_range'], torch.tensor(0.0))
    # |1/3 - 1/2| + 2 |1/3 - 1/4| over 3 images
    torch.testing.assert_close(d['mask_share_err'],
                               torch.tensor((1 / 6 + 2 / 12) / 3))


def test_no_grad_and_bad_shapes():
    masks = HARD[None].clone().requires_grad_()
    d = mask_diagnostics(masks, LAM)
    assert all(not v.requires_grad and v.dim() == 0 for v in d.values())
    with pytest.raises(ValueError, match='masks'):
        mask_diagnostics(HARD, LAM)
    with pytest.raises(ValueError, match='lam'):
        mask_diagnostics(HARD[None], torch.tensor([0.2, 0.3, 0.5]))
    with pytest.raises(ValueError, match='fallback'):
        mask_diagnostics(HARD[None], LAM, fallback=torch.tensor([True, False]))


def test_adautomix_logs_diagnostics_of_the_generator_masks(monkeypatch):
    model = build()
    x, samples = batch()
    model.set_game_state(True, True)
    masks_seen = []
    original = model.generate_masks
    monkeypatch.setattr(model, 'generate_masks',
                        lambda *a: masks_seen.append(original(*a)) or
                        masks_seen[-1])
    torch.manual_seed(3)
    losses = model.loss(x, samples)
    lam, _ = generator_draws(3, 3, x.size(0))
    # The generator's masks are the last ones made (after the classifier's).
    expected = mask_diagnostics(masks_seen[-1], lam, model._margin_hit(lam))
    for key in DIAGNOSTIC_KEYS:
        assert not losses[key].requires_grad
        torch.testing.assert_close(losses[key], expected[key])
    assert losses['mask_spatial_range'] > 0  # generator made non-flat masks
    # MMEngine sums only the 'loss' keys: the diagnostics do not enter it.
    total, log_vars = BaseModel.parse_losses(model, losses)
    torch.testing.assert_close(
        total, sum(v for k, v in losses.items() if k.startswith('loss_')))
    assert 'mask_entropy' in log_vars


def test_adautomix_fallback_rate_is_one_on_a_margin_hit(monkeypatch):
    from adautomix_mm.models.classifiers import adautomix as module
    model = build(lam_margin=0.03)
    lam = torch.tensor([0.02, 0.49, 0.49])
    monkeypatch.setattr(module, 'sample_ratios', lambda *a, **k: lam.clone())
    x, samples = batch()
    model.set_game_state(False, True)
    losses = model.loss(x, samples)
    assert losses['mask_fallback_rate'] == 1.0
    # The generator's masks are still measured (not the constant ones).
    assert losses['mask_spatial_range'] > 0
