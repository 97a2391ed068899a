"""R-Mix mixer: quantile masks, three regions, area-weighted labels."""
import pytest
import torch

from adautomix_mm.models.saliency_mixers.rmix import (RMix, quantile_masks,
                                                      three_region_masks)
from adautomix_mm.models.utils import mix_targets_by_area, mix_with_masks


def test_hand_built_regions_and_labels():
    pooled = torch.tensor([[[4., 3.], [2., 1.]], [[1., 2.], [3., 4.]]])
    # quantile 0.5 of (1, 2, 3, 4) = 2.5: the two top patches;
    # quantile 0.75 = 3.25: the single top patch
    mask = quantile_masks(pooled, torch.tensor([0.5, 0.75]))
    torch.testing.assert_close(
        mask, torch.tensor([[[1., 1.], [0., 0.]], [[0., 0.], [0., 1.]]]))
    perm = torch.tensor([1, 0])
    masks = three_region_masks(mask, perm, 0.3, 0.7)
    # sample 0: both masks unset at (1, 0) -> (0.3, 0.7); only its own
    # mask at (0, 0), (0, 1) -> (1, 0); only the partner's at (1, 1) -> (0, 1)
    torch.testing.assert_close(
        masks[0], torch.tensor([[[1., 1.], [.3, 0.]], [[0., 0.], [.7, 1.]]]))
    y = torch.eye(2)
    perms = torch.stack([torch.arange(2), perm])
    labels = mix_targets_by_area(y, perms, masks)
    # a_eq (w1 y_i + w2 y_pi) + a_i y_i + a_pi y_pi
    torch.testing.assert_close(
        labels[0], torch.tensor([.25 * .3 + .5, .25 * .7 + .25]))
    torch.testing.assert_close(
        labels[1], torch.tensor([.25 * .7 + .5, .25 * .3 + .25]))
    x = torch.tensor([10., 20.]).view(2, 1, 1, 1).expand(2, 1, 2, 2)
    mixed = mix_with_masks(x, perms, masks)
    torch.testing.assert_close(
        mixed[0, 0], torch.tensor([[10., 10.], [.3 * 10 + .7 * 20, 20.]]))


def test_call_labels_equal_region_areas():
    b, size = 6, 8
    values = torch.linspace(10, 200, b)
    x = values.view(b, 1, 1, 1).expand(b, 1, size, size).clone()
    y = torch.eye(b)
    mixer = RMix(patch_sizes=(2, 4))
    for seed in range(5):
        torch.manual_seed(seed)
        mixed, labels = mixer(x, y, torch.rand(b, size, size))
        torch.testing.assert_close(labels.sum(1), torch.ones(b))
        for i in range(b):
            others = [k for k in labels[i].nonzero().flatten().tolist()
                      if k != i]
            if not others:
                continue
            j = others[0]
            share = (mixed[i, 0] - values[j]) / (values[i] - values[j])
            torch.testing.assert_close(labels[i, i], share.mean())


def test_quantile_grid_and_patch_sizes_are_drawn():
    mixer = RMix(patch_sizes=(2, 4), num_actions=10, max_quantile=0.99)
    torch.testing.assert_close(mixer.quantiles, torch.linspace(0, .99, 10))
    # q = 0 keeps every patch: both masks full, pure (w1, w2) mixup
    mixer.quantiles = torch.zeros(1)
    x = torch.randn(4, 1, 8, 8)
    mixed, labels = mixer(x, torch.eye(4), torch.rand(4, 8, 8))
    torch.testing.assert_close(labels.sum(1), torch.ones(4))


def test_mode_and_clean_lam():
    assert RMix.saliency_mode == 'train' and RMix().clean_lam == 0
    assert RMix(clean_lam=1.0).clean_lam == 1.0


def test_flip_partners_pair_image_i_with_image_b_minus_1_minus_i():
    """imagenet/lib/rl_mix.py: ``inputs.flip(0)``; with q = 0 both masks
    are full, so sample i is w1 x_i + w2 x_(B-1-i) and its label likewise."""
    mixer = RMix(patch_sizes=(2, ), partners='flip', dirichlet_alpha=0.2)
    mixer.quantiles = torch.zeros(1)
    x = torch.randn(4, 1, 4, 4)
    torch.manual_seed(3)
    mixed, labels = mixer(x, torch.eye(4), torch.rand(4, 4, 4))
    w1 = labels[0, 0]
    want = w1 * x + (1 - w1) * x.flip(0)
    torch.testing.assert_close(mixed, want)
    torch.testing.assert_close(labels, w1 * torch.eye(4) +
                               (1 - w1) * torch.eye(4).flip(0))


@pytest.mark.parametrize('key,value', [
    ('patch_sizes', ()), ('patch_sizes', (0, )), ('num_actions', 0),
    ('max_quantile', 1.0), ('dirichlet_alpha', 0.), ('clean_lam', -1.0),
    ('partners', 'roll')])
def test_bad_config_values(key, value):
    with pytest.raises(ValueError, match=key):
        RMix(**{key: value})


def test_patch_larger_than_image():
    with pytest.raises(ValueError, match='patch size'):
        RMix(patch_sizes=(16, ))(torch.randn(2, 1, 8, 8), torch.eye(2),
                                 torch.rand(2, 8, 8))
