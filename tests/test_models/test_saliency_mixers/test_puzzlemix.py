"""PuzzleMix mixer: graph-cut masks, transport, labels, noise, errors."""
import itertools
import sys

import numpy as np
import pytest
import torch

pytest.importorskip('gco')

from adautomix_mm.models.saliency_mixers.puzzlemix import (  # noqa: E402
    PuzzleMix, mask_transport, transport_image, transport_plan)
from helpers.puzzlemix_oracle import reference_transport  # noqa: E402

MEAN, STD = torch.zeros(1), torch.ones(1)


def test_transport_moves_the_salient_block_into_the_mask():
    # 2x2 grid; only the top-left position keeps this image; the bottom-
    # right block is by far the most salient.
    mask = torch.tensor([[[[1., 0.], [0., 0.]]]])
    unary = torch.tensor([[[0.1, 0.05], [0.15, 0.7]]])
    source = mask_transport(mask, unary, eps=0.1)
    assert source.tolist() == [[3, 1, 2, -1]]
    plan = transport_plan(source)
    expected = torch.zeros(1, 4, 4)
    expected[0, 3, 0] = expected[0, 1, 1] = expected[0, 2, 2] = 1
    torch.testing.assert_close(plan, expected)
    img = torch.arange(4.).view(1, 1, 2, 2).repeat_interleave(
        3, 2).repeat_interleave(3, 3)  # 6x6 image of four constant blocks
    moved = transport_image(img, source, 2)
    # block 3 -> position 0, blocks 1 and 2 stay, position 3 left empty
    assert moved[0, 0, :3, :3].eq(3).all()
    assert moved[0, 0, :3, 3:].eq(1).all()
    assert moved[0, 0, 3:, :3].eq(2).all()
    assert moved[0, 0, 3:, 3:].eq(0).all()


def test_transport_equals_reference_loops_on_random_cases():
    g = torch.Generator().manual_seed(0)
    for n in (2, 4, 8):
        mask = (torch.rand(3, 1, n, n, generator=g) > 0.5).float()
        unary = torch.rand(3, n, n, generator=g)
        unary = unary / unary.sum((1, 2), keepdim=True)
        torch.testing.assert_close(
            transport_plan(mask_transport(mask, unary, 0.8)),
            reference_transport(mask, unary, 0.8))
        # moving the blocks = the reference's plan^T @ blocks
        img = torch.randn(3, 2, 2 * n, 2 * n, generator=g)
        blocks = img.reshape(3, 2, n, 2, n, 2).permute(
            0, 1, 3, 5, 2, 4).reshape(3, 2, 2, 2, n * n)
        moved = torch.einsum('bcxyi,bij->bcxyj', blocks,
                             reference_transport(mask, unary, 0.8))
        moved = moved.reshape(3, 2, 2, 2, n, n).permute(0, 1, 4, 2, 5, 3)
        torch.testing.assert_close(
            transport_image(img, mask_transport(mask, unary, 0.8), n),
            moved.reshape(img.shape))


def grid_inputs(b, size, seed=0):
    """Constant images with distinct values and distinct one-hot classes."""
    torch.manual_seed(seed)
    values = torch.linspace(10, 200, b)
    x = values.view(b, 1, 1, 1).expand(b, 1, size, size).clone()
    return x, torch.eye(b), values


def test_unary_orientation_and_prior():
    """With no smoothness or prior each block goes to the image that loses
    less saliency there; the lambda prior alone gives that image all."""
    mixer = PuzzleMix(block_nums=(2, ), beta=0., gamma=0., eta=0.)
    x, _, _ = grid_inputs(2, 4)
    sal = torch.tensor([[[4., 1.], [1., 1.]], [[1., 1.], [1., 4.]]])
    sal = sal.repeat_interleave(2, 1).repeat_interleave(2, 2)
    perm = torch.tensor([1, 0])
    mask, _ = mixer.graphcut_masks(x, sal, perm, 0.5, 2, MEAN, STD)
    # sample 0 keeps its salient top-left block and gives up the block that
    # is salient in its partner (bottom-right); ties keep label 0 (self)
    assert mask[0, 0, 0, 0] == 1 and mask[0, 0, 1, 1] == 0
    assert mask[1, 0, 1, 1] == 1 and mask[1, 0, 0, 0] == 0
    strong = PuzzleMix(block_nums=(2, ), beta=0., gamma=0., eta=3.)
    assert strong.graphcut_masks(x, sal, perm, 0.9, 2, MEAN,
                                 STD)[0].eq(1).all()
    assert strong.graphcut_masks(x, sal, perm, 0.1, 2, MEAN,
                                 STD)[0].eq(0).all()


@pytest.mark.parametrize('transport', [False, True])
def test_labels_are_mask_areas_and_sum_to_one(transport):
    b, size = 6, 8
    x, y, values = grid_inputs(b, size)
    mixer = PuzzleMix(block_nums=(2, 4), neigh_size=2, transport=transport,
                      t_size=-1)
    for seed in range(4):
        torch.manual_seed(seed)
        sal = torch.rand(b, size, size)
        mixed, labels = mixer(x, y, sal, MEAN, STD)
        torch.testing.assert_close(labels.sum(1), torch.ones(b))
        assert ((labels > 0).sum(1) <= 2).all()
        if transport:
            continue
        for i in range(b):
            others = [k for k in labels[i].nonzero().flatten().tolist()
                      if k != i]
            if not others:  # mixed with itself
                continue
            j = others[0]
            m = (mixed[i, 0] - values[j]) / (values[i] - values[j])
            assert set(m.unique().round(decimals=4).tolist()) <= {0, .5, 1}
            torch.testing.assert_close(labels[i, i], m.mean())


def test_adversarial_noise_is_bounded_and_needs_the_gradient():
    b, size = 4, 8
    x = torch.rand(b, 1, size, size) * 255
    mixer = PuzzleMix(block_nums=(2, ), neigh_size=2, adv_p=1.0, adv_eps=8.)
    assert mixer.needs_input_grad
    noisy = mixer.saliency_inputs(x, MEAN, STD)
    assert (noisy - x).abs().max() <= 8.0 + 1e-4
    assert noisy.min() >= 0 and noisy.max() <= 255 + 1e-4
    with pytest.raises(ValueError, match='input_grad'):
        mixer(x, torch.eye(b), torch.rand(b, size, size), MEAN, STD)
    mixer.saliency_inputs(x, MEAN, STD)
    mixed, labels = mixer(x, torch.eye(b), torch.rand(b, size, size), MEAN,
                          STD, input_grad=torch.randn_like(x))
    torch.testing.assert_close(labels.sum(1), torch.ones(b))
    assert mixed.min() >= 0 and mixed.max() <= 255 + 1e-3


def test_saliency_mode_follows_clean_lam():
    assert PuzzleMix().saliency_mode == 'eval'
    assert PuzzleMix(clean_lam=1.0).saliency_mode == 'train'


@pytest.mark.parametrize('key,value', [
    ('gamma', 1.5), ('n_labels', 5), ('solver', 'threads'), ('alpha', 0.),
    ('block_nums', (1, )), ('block_nums', ()), ('t_size', 0),
    ('adv_p', 2.), ('clean_lam', -1.), ('energy_overflow', 'wrap')])
def test_bad_config_values(key, value):
    with pytest.raises(ValueError, match=key):
        PuzzleMix(**{key: value})


def test_energy_overflow_rescales_or_raises():
    x, _, _ = grid_inputs(2, 16)
    # one block holds almost all the saliency: at grid 16 its integer cost
    # x 1e5 exceeds int32 (the reference wraps around)
    sal = torch.full((2, 16, 16), 1e-6)
    sal[:, 0, 0] = 1.
    perm = torch.tensor([1, 0])
    mixer = PuzzleMix(block_nums=(16, ), beta=0., gamma=0., eta=0.)
    unary, w_v, w_h, _ = mixer.energy(
        np.zeros((2, 16, 16)), np.ones((2, 16, 16)), np.zeros((2, 15, 16)),
        np.zeros((2, 16, 15)), 0.5, 16)
    assert unary.max() * 1e5 < 2**31
    # the rescaled energy keeps the minimiser: both images are equally
    # salient at (0, 0), elsewhere nothing; every block keeps its own image
    mask, _ = mixer.graphcut_masks(x, sal, perm, 0.5, 16, MEAN, STD)
    assert mask.eq(1).all()
    with pytest.raises(ValueError, match='energy_overflow'):
        PuzzleMix(block_nums=(16, ), energy_overflow='error').graphcut_masks(
            x, sal, perm, 0.5, 16, MEAN, STD)


def test_grid_must_fit_the_image():
    x, y, _ = grid_inputs(2, 12)
    with pytest.raises(ValueError, match='block_nums'):
        PuzzleMix(block_nums=(8, ))(x, y, torch.rand(2, 12, 12), MEAN, STD)
    with pytest.raises(ValueError, match='neigh_size'):
        PuzzleMix(block_nums=(2, ), neigh_size=4)(x, y, torch.rand(2, 12, 12),
                                                  MEAN, STD)


def test_missing_gco_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, 'gco', None)
    with pytest.raises(ImportError, match='gco-wrapper'):
        PuzzleMix()


def test_all_block_grids_of_the_cifar_config_run():
    x = torch.randn(4, 3, 32, 32)
    for n, t in itertools.product((2, 4, 8, 16), (-1, 4)):
        mixer = PuzzleMix(block_nums=(n, ), t_size=t)
        mixed, labels = mixer(x, torch.eye(4), torch.rand(4, 32, 32),
                              torch.zeros(3), torch.ones(3))
        assert mixed.shape == x.shape
        torch.testing.assert_close(labels.sum(1), torch.ones(4))
