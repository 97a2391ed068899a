"""FMix, SaliencyMix, GridMix and PaperResizeMix batch augments: masks,
boxes and label weights against values recomputed from the same random
draws, and errors on bad arguments (against the official code:
test_batch_mixers_reference.py)."""
import math
import random

import numpy as np
import pytest
import torch

import adautomix_mm  # noqa: F401
from adautomix_mm.models.augments import FMix, GridMix, SaliencyMix
from mmpretrain.registry import BATCH_AUGMENTS, MODELS


def batch(n=6, c=3, h=16, w=12, k=5):
    torch.manual_seed(123)
    x = torch.randn(n, c, h, w)
    y = torch.eye(k)[torch.arange(n) % k]
    return x, y


def seed(s):
    np.random.seed(s)
    random.seed(s)
    torch.manual_seed(s)


@pytest.mark.parametrize('s', range(5))
def test_fmix_mask_area_is_rounded_lambda_and_labels_use_lambda(s):
    x, y = batch()
    mixer = FMix(alpha=1.0)
    seed(s)
    mixed, score = mixer(x, y)
    seed(s)
    lam, mask = mixer.sample_mask(x.shape[-2:])
    index = torch.randperm(x.size(0))
    cells = mask.size
    # binary, one mask for the batch, ceil or floor of lam * HW pixels
    assert set(np.unique(mask)) <= {0.0, 1.0}
    assert mask.sum() in (math.ceil(lam * cells), math.floor(lam * cells))
    m = torch.from_numpy(mask)
    assert torch.allclose(mixed, m * x + (1 - m) * x[index])
    assert torch.allclose(score, lam * y + (1 - lam) * y[index])
    assert torch.allclose(score.sum(1), torch.ones(len(y)))


def test_fmix_correct_lam_uses_mask_area():
    x, y = batch()
    mixer = FMix(alpha=1.0, correct_lam=True)
    seed(3)
    _, score = mixer(x, y)
    seed(3)
    _, mask = mixer.sample_mask(x.shape[-2:])
    index = torch.randperm(x.size(0))
    area = float(mask.mean())
    assert torch.allclose(score, area * y + (1 - area) * y[index])


def test_fmix_mask_is_low_frequency():
    """The top-lambda region of a delta=3 spectrum is far smoother than a
    random pixel set of the same area (few label changes between
    neighbours)."""
    seed(0)
    _, mask = FMix(alpha=1.0).sample_mask((32, 32))
    changes = np.abs(np.diff(mask, axis=0)).mean() + np.abs(
        np.diff(mask, axis=1)).mean()
    assert changes < 0.2


def test_saliencymix_box_centred_at_saliency_peak(monkeypatch):
    x, y = batch(h=16, w=16)
    mixer = SaliencyMix(alpha=1.0)
    peak = (11, 4)
    seen = []

    def fake_peak(image):
        seen.append(image.clone())
        return peak

    monkeypatch.setattr(mixer, 'saliency_peak', fake_peak)
    seed(7)
    mixed, score = mixer(x.clone(), y)
    seed(7)
    lam = np.random.beta(1.0, 1.0)
    index = torch.randperm(x.size(0))
    # saliency of the single partner image x[index[0]], as the reference
    assert torch.equal(seen[0], x[index[0]])
    cut = int(16 * math.sqrt(1 - lam))
    y1, y2 = max(peak[0] - cut // 2, 0), min(peak[0] + cut // 2, 16)
    x1, x2 = max(peak[1] - cut // 2, 0), min(peak[1] + cut // 2, 16)
    expected = x.clone()
    expected[..., y1:y2, x1:x2] = x[index][..., y1:y2, x1:x2]
    assert torch.equal(mixed, expected)
    lam_box = 1 - (y2 - y1) * (x2 - x1) / 256
    assert torch.allclose(score, lam_box * y + (1 - lam_box) * y[index])


@pytest.mark.parametrize('s', range(5))
def test_gridmix_labels_equal_mask_areas(s):
    x, y = batch(h=32, w=32)
    mixer = GridMix(alpha=0.2)
    seed(s)
    mixed, score = mixer(x, y)
    seed(s)
    _, mask = mixer.sample_mask((32, 32))
    index = torch.randperm(x.size(0))
    assert set(mask.unique().tolist()) <= {0.0, 1.0}
    assert 0 < mask.sum() < 32 * 32
    assert torch.allclose(mixed, (1 - mask) * x + mask * x[index])
    area = float(mask.mean())  # share of the partner
    assert torch.allclose(score, (1 - area) * y + area * y[index])
    assert torch.allclose(score.sum(1), torch.ones(len(y)))


def test_gridmix_mask_is_a_grid_of_holes():
    from adautomix_mm.models.augments.gridmix import grid_mask
    seed(0)
    mask = grid_mask((32, 32), lam=0.75, n_holes=4, hole_aspect_ratio=1.0,
                     cut_area_ratio=1.0, cut_aspect_ratio=1.0)
    # full crop, patch 8x8, hole int(8 * sqrt(0.25)) = 4 -> 16 holes of 4x4
    assert mask.sum() == 16 * 16
    assert torch.equal(mask[:4, :4], torch.ones(4, 4))
    assert torch.equal(mask[4:8, :8], torch.zeros(4, 8))


@pytest.mark.parametrize('cfg,key', [
    (dict(type='FMix', alpha=0), 'alpha'),
    (dict(type='FMix', alpha=1.0, decay_power=-3), 'decay_power'),
    (dict(type='FMix', alpha=1.0, reformulate='yes'), 'reformulate'),
    (dict(type='SaliencyMix', alpha=-1.0), 'alpha'),
    (dict(type='GridMix', alpha=True), 'alpha'),
    (dict(type='GridMix', alpha=0.2, n_holes=(6, 2)), 'n_holes'),
    (dict(type='GridMix', alpha=0.2, cut_area_ratio=(0.5, 1.5)),
     'cut_area_ratio'),
    (dict(type='GridMix', alpha=0.2, cut_aspect_ratio=(2.0, 0.5)),
     'cut_aspect_ratio'),
])
def test_bad_arguments_name_the_key(cfg, key):
    with pytest.raises(ValueError, match=key):
        BATCH_AUGMENTS.build(cfg)


def test_unknown_key_is_rejected():
    with pytest.raises(TypeError, match='prob'):
        BATCH_AUGMENTS.build(dict(type='FMix', alpha=1.0, prob=0.5))


def test_gridmix_too_many_holes_for_the_crop():
    x, y = batch(h=8, w=8)
    with pytest.raises(ValueError, match='n_holes'):
        GridMix(alpha=0.2, n_holes=10)(x, y)


@pytest.mark.parametrize('aug', ['FMix', 'SaliencyMix', 'GridMix',
                                 'PaperResizeMix'])
def test_plain_image_classifier_mixes_through_train_cfg(aug):
    """`train_cfg=dict(augments=...)` of a plain ImageClassifier reaches the
    mixer through mmpretrain's data preprocessor (soft rows summing to 1,
    only in training)."""
    model = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, in_channels=1,
                      stem_channels=8, base_channels=8),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=10, in_channels=64,
                  loss=dict(type='CrossEntropyLoss', use_soft=True)),
        data_preprocessor=dict(num_classes=10),
        train_cfg=dict(augments=dict(type=aug, alpha=1.0))))
    from mmpretrain.structures import DataSample
    data = dict(inputs=[torch.randint(0, 255, (1, 28, 28), dtype=torch.uint8)
                        for _ in range(4)],
                data_samples=[DataSample().set_gt_label(i) for i in range(4)])
    seed(1)
    out = model.data_preprocessor(data, training=True)
    scores = torch.stack([s.gt_score for s in out['data_samples']])
    assert torch.allclose(scores.sum(1), torch.ones(4))
    assert type(model.data_preprocessor.batch_augments.augments[0]
                ).__name__ == aug
    losses = model.loss(out['inputs'], out['data_samples'])
    assert torch.isfinite(losses['loss'])
