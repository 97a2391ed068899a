"""SaliencyMix, PaperResizeMix, FMix and GridMix against the official code:
saliency maps computed by OpenCV itself, boxes, masks, pixels and lambda
produced by the official functions under the same seeds
(``tests/fixtures/batch_mixers/make_reference.py`` made the fixture), plus
each named alternative against a hand-computed oracle."""
import math
import random
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import adautomix_mm  # noqa: F401
from adautomix_mm.models.augments import (FMix, GridMix, PaperResizeMix,
                                          SaliencyMix)
from adautomix_mm.models.augments.fmix import binarise
from adautomix_mm.models.augments.gridmix import grid_mask
from adautomix_mm.models.utils.static_saliency import fine_grained_saliency
from fixtures.batch_mixers.inputs import CIFAR, FMNIST, normalise, seed
from mmpretrain.models.utils.batch_augments import ResizeMix
from mmpretrain.registry import BATCH_AUGMENTS

REF = np.load(Path(__file__).parent / 'fixtures' / 'batch_mixers' /
              'reference.npz')
NORMS = dict(gray=FMNIST, rgb=CIFAR)


def masks(key):
    bits, offsets = REF[f'{key}_masks'], REF[f'{key}_mask_offsets']
    return [bits[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


def unpack(bits, shape):
    return np.unpackbits(bits)[:shape[0] * shape[1]].reshape(shape)


def box_mask(shape, y1, y2, x1, x2):
    mask = torch.zeros(shape, dtype=torch.bool)
    mask[int(y1):int(y2), int(x1):int(x2)] = True
    return mask


# ----------------------------------------------------------------- saliency
@pytest.mark.parametrize('key', ['sal_gray', 'sal_rgb', 'sal_rgb64'])
def test_fine_grained_saliency_is_opencvs_map(key):
    """Bit for bit OpenCV contrib's StaticSaliencyFineGrained on real 8-bit
    images (Fashion-MNIST; photographs at 32 and 64 px)."""
    for image, expected in zip(REF[key], REF[key + '_maps']):
        assert np.array_equal(fine_grained_saliency(image), expected)


@pytest.mark.parametrize('tag', ['gray', 'rgb'])
def test_saliencymix_box_and_lambda_are_the_official(tag):
    """OpenMixup's ``saliencymix`` (the authors' ``saliency_bbox``) with
    OpenCV on the 8-bit image: same box, pasted pixels and lambda."""
    images, (mean, std) = REF[f'sal_{tag}'], NORMS[tag]
    x0 = normalise(images, mean, std)
    y = torch.eye(len(x0))
    n_empty = 0
    for alpha, s, y1, y2, x1, x2, lam in REF[f'saliencymix_{tag}']:
        seed(int(s))
        mixed, score = SaliencyMix(alpha, mean=mean, std=std)(x0.clone(), y)
        seed(int(s))
        np.random.beta(alpha, alpha)
        index = torch.randperm(len(x0))
        box = box_mask(x0.shape[-2:], y1, y2, x1, x2)
        n_empty += not box.any()
        assert torch.equal(mixed, torch.where(box, x0[index], x0))
        assert torch.allclose(score, lam * y + (1 - lam) * y[index],
                              atol=1e-7)
    assert n_empty < 3


def test_saliencymix_without_mean_std_uses_the_images_range():
    """Without mean/std the 8-bit image is the input's range mapped onto
    [0, 255]: the same map as the true pixels for an image spanning it."""
    image = REF['sal_gray'][0]
    assert image.min() == 0 and image.max() == 255
    x = normalise(image[None], *NORMS['gray'])[0]
    mixer = SaliencyMix(1.0)
    expected = np.unravel_index(np.argmax(REF['sal_gray_maps'][0]),
                                image.shape[:2])
    assert mixer.saliency_peak(x) == tuple(int(v) for v in expected)
    assert SaliencyMix(1.0, **dict(zip(
        ('mean', 'std'), NORMS['gray']))).saliency_peak(x) == mixer.\
        saliency_peak(x)


def test_saliencymix_is_mmpretrain_cutmix_with_the_peak_as_centre():
    """The box is MMPretrain's CutMix box (rand_bbox + lambda correction)
    with its centre moved from a uniform draw to the saliency peak."""
    from mmpretrain.models.utils.batch_augments import CutMix
    mixer = SaliencyMix(1.0)
    assert isinstance(mixer, CutMix)
    mixer._peak = (3, 30)
    (y1, y2, x1, x2), lam = mixer.cutmix_bbox_and_lam((32, 32), 0.75)
    assert (y1, y2, x1, x2) == (0, 11, 22, 32)  # side int(32 * 0.5) = 16
    assert lam == 1 - 11 * 10 / 1024


# --------------------------------------------------------------------- FMix
def test_fmix_masks_and_lambda_are_the_official():
    """ecs-vlc/FMix ``sample_mask`` under the same numpy/Python seeds: same
    lambda and mask, also for odd widths and the reformulation."""
    for (h, w, alpha, reform, s, lam), bits in zip(REF['fmix'],
                                                   masks('fmix')):
        seed(int(s))
        got_lam, mask = FMix(alpha, reformulate=bool(reform)).sample_mask(
            (int(h), int(w)))
        assert got_lam == pytest.approx(lam, abs=1e-12)
        assert np.array_equal(mask, unpack(bits, (int(h), int(w))))


def test_fmix_full_spectrum_option():
    """``spectrum='full'``: the same draws, the whole 2-D spectrum."""
    h, w = 16, 15
    seed(3)
    lam, mask = FMix(1.0, spectrum='full').sample_mask((h, w))
    seed(3)
    assert lam == np.random.beta(1.0, 1.0)
    fy, fx = np.fft.fftfreq(h)[:, None], np.fft.fftfreq(w)[:w // 2 + 2]
    freq = np.sqrt(fx**2 + fy**2)
    scale = 1.0 / np.maximum(freq, 1 / 16)**3
    c = scale[..., None] * np.random.randn(h, w // 2 + 2, 2)
    grey = np.fft.irfft2(c[..., 0] + 1j * c[..., 1], (h, w))
    top = np.argsort(grey.reshape(-1))[::-1]
    count = math.ceil(lam * h * w) if random.random() > 0.5 \
        else math.floor(lam * h * w)
    expected = np.zeros(h * w)
    expected[top[:count]] = 1
    assert np.array_equal(mask.reshape(-1), expected)
    seed(3)
    _, reference = FMix(1.0).sample_mask((h, w))
    assert reference.sum() == mask.sum() and not np.array_equal(reference,
                                                                mask)


def test_fmix_mixes_with_lambda_and_reformulate_keeps_the_target():
    x, y = torch.randn(4, 1, 8, 8), torch.eye(4)
    for reform in (False, True):
        seed(1)
        mixed, score = FMix(1.0, reformulate=reform)(x, y)
        seed(1)
        lam, mask = FMix(1.0, reformulate=reform).sample_mask((8, 8))
        index = torch.randperm(4)
        m = torch.from_numpy(mask)
        assert torch.equal(mixed, m * x + (1 - m) * x[index])
        assert torch.allclose(
            score, y if reform else lam * y + (1 - lam) * y[index])


def test_binarise_coin_is_pythons_random():
    grey = np.linspace(0, 1, 10).reshape(2, 5)
    random.seed(0)
    ceil = random.random() > 0.5
    np.random.seed(0)  # numpy's state plays no part
    random.seed(0)
    assert binarise(grey, 0.25).sum() == (3 if ceil else 2)


# ------------------------------------------------------------------ GridMix
def test_gridmix_masks_and_lambda_are_the_official():
    """OpenMixup's ``gridmix`` at its default ranges under the same seeds:
    same mask (crops that leave the image included) and lambda."""
    n_left = 0
    for (side, s, lam), bits in zip(REF['gridmix'], masks('gridmix')):
        side = int(side)
        seed(int(s))
        _, mask = GridMix(0.2).sample_mask((side, side))
        assert torch.equal(mask, torch.from_numpy(
            unpack(bits, (side, side))).float())
        assert 1 - float(mask.mean()) == pytest.approx(lam, abs=1e-6)
        seed(int(s))
        _, clipped = GridMix(0.2, clip_crop=True).sample_mask((side, side))
        n_left += not torch.equal(mask, clipped)
    assert n_left >= 5  # the fixture exercises crops that leave the image


def test_gridmix_reference_crop_wraps_and_clip_crop_keeps_it_inside():
    """A crop 2x taller than wide on 32 px: 44 rows x 22 columns from row
    int(-12 u) < 0: OpenMixup's slices put the holes above the image at its
    bottom; ``clip_crop`` keeps the crop to rows 0-31."""
    kw = dict(lam=0.75, n_holes=2, hole_aspect_ratio=1.0,
              cut_area_ratio=1.0, cut_aspect_ratio=2.0)
    np.random.seed(0)
    u = np.random.random(2)
    np.random.seed(0)
    ref = grid_mask((32, 32), **kw)
    x0, y0 = int(10 * u[0]), int(-12 * u[1])
    # patch 11 x 11, hole 5 x 5; row holes at y0 + 0, 11, 22, 33 (cap 44)
    rows = np.zeros(32, bool)
    for start in (0, 11, 22, 33):
        rows[y0 + start:y0 + min(start + 5, 44)] = True
    cols = np.zeros(32, bool)
    for start in (0, 11, 22):
        cols[x0 + start:x0 + min(start + 5, 22)] = True
    assert torch.equal(ref, torch.from_numpy(rows[:, None]
                                             & cols[None]).float())
    np.random.seed(0)
    clipped = grid_mask((32, 32), clip_crop=True, **kw)
    # clipped crop 32 rows x 22 columns at row 0: holes at rows 0, 11, 22
    assert clipped.any(1).nonzero().flatten().tolist() == \
        [0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 22, 23, 24, 25, 26]


# ---------------------------------------------------------------- ResizeMix
def test_paper_resizemix_box_pixels_and_lambda_are_the_official():
    """OpenMixup's ``resizemix`` under the same seeds (use_alpha with alpha
    1 and 0.2, the uniform scale, nearest and bilinear): same box, the whole
    partner resized into it, lambda = 1 - box area."""
    x0 = torch.from_numpy(REF['resizemix_images']).permute(0, 3, 1,
                                                           2).float()
    y = torch.eye(3)
    stored = iter(REF['resizemix_mixed'])
    for alpha, use_alpha, bilinear, s, y1, y2, x1, x2, lam in REF[
            'resizemix']:
        mode = 'bilinear' if bilinear else 'nearest'
        mixer = PaperResizeMix(alpha if use_alpha else None,
                               interpolation=mode)
        seed(int(s))
        mixed, score = mixer(x0.clone(), y)
        seed(int(s))
        index = torch.randperm(3)
        y1, y2, x1, x2 = (int(v) for v in (y1, y2, x1, x2))
        expected = x0.clone()
        expected[..., y1:y2, x1:x2] = F.interpolate(
            x0[index], (y2 - y1, x2 - x1), mode=mode)
        assert torch.equal(mixed, expected)
        assert torch.allclose(score, lam * y + (1 - lam) * y[index])
        if s == 0 and (bilinear or alpha == 0.2):
            assert np.array_equal(mixed.numpy(), next(stored))


def test_paper_resizemix_label_weight_is_tau_squared_not_mmpretrains():
    """Mean pasted label weight (box area) over 2000 draws at 32 px: about
    E[tau^2] = 0.157 for tau ~ U(0.1, 0.8) (reference); MMPretrain's
    ResizeMix, which stays registered under its name, about 0.33."""
    paper, mmpretrain = PaperResizeMix(), ResizeMix(1.0)
    seed(0)
    w_paper = [(y2 - y1) * (x2 - x1) / 1024 for y1, y2, x1, x2 in (
        paper.box((32, 32), paper.sample_tau()) for _ in range(2000))]
    w_mmpretrain = [1 - mmpretrain.cutmix_bbox_and_lam(
        (32, 32), np.random.beta(1.0, 1.0) * 0.7 + 0.1)[1]
        for _ in range(2000)]
    assert 0.13 < np.mean(w_paper) < 0.17
    assert 0.28 < np.mean(w_mmpretrain) < 0.38
    assert BATCH_AUGMENTS.get('ResizeMix') is ResizeMix


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize('cfg,key', [
    (dict(type='PaperResizeMix', alpha=0), 'alpha'),
    (dict(type='PaperResizeMix', scope=(0.8, 0.1)), 'scope'),
    (dict(type='PaperResizeMix', interpolation='bicubic'), 'interpolation'),
    (dict(type='FMix', alpha=1.0, spectrum='2d'), 'spectrum'),
    (dict(type='GridMix', alpha=0.2, clip_crop=1), 'clip_crop'),
    (dict(type='SaliencyMix', alpha=1.0, mean=[0.0]), 'mean and std'),
    (dict(type='SaliencyMix', alpha=1.0, mean='x', std='y'), 'mean'),
])
def test_bad_arguments_name_the_key(cfg, key):
    with pytest.raises(ValueError, match=key):
        BATCH_AUGMENTS.build(cfg)


def test_runtime_errors_name_the_cause():
    y = torch.eye(2)
    with pytest.raises(ValueError, match='scope'):
        PaperResizeMix()(torch.zeros(2, 1, 12, 12), y)
    with pytest.raises(ValueError, match='hole_aspect_ratio'):
        grid_mask((32, 32), 0.5, 2, 0.01, 1.0, 1.0)
    with pytest.raises(ValueError, match='channels'):
        SaliencyMix(1.0, mean=[0.0], std=[1.0])(torch.zeros(2, 3, 8, 8), y)
