"""AttentionMixBlock: shapes, the simplex constraint, the maths against an
explicit per-image loop, numerics and configuration errors."""
import math

import pytest
import torch
import torch.nn.functional as F

import adautomix_mm  # noqa: F401  (registers modules)
from adautomix_mm.models.mix_blocks import AttentionMixBlock
from mmpretrain.registry import MODELS


def _block(**kw):
    torch.manual_seed(0)
    cfg = dict(type='AttentionMixBlock', in_channels=8)
    cfg.update(kw)
    block = MODELS.build(cfg)
    # Larger weights than the reference's std=0.01 init so masks are far
    # from uniform and the checks below are sensitive.
    for p in block.parameters():
        torch.nn.init.normal_(p, 0.0, 0.5)
    return block


@pytest.mark.parametrize('n', [2, 3, 4])
def test_masks_shape_and_simplex(n):
    block = _block()
    feats = torch.randn(5, n, 8, 4, 4)
    masks = block(feats, torch.full((n, ), 1.0 / n), (16, 16))
    assert masks.shape == (5, n, 16, 16)
    assert torch.all(masks >= 0) and torch.all(masks <= 1)
    torch.testing.assert_close(masks.sum(1), torch.ones(5, 16, 16))
    # Not degenerate: masks vary over pixels.
    assert masks.std() > 1e-3


def _explicit_masks(block, feats, size):
    """The reference's per-image formulation, written with loops."""
    b, n, c, h, w = feats.shape
    d = block.inter_channels
    qs, ks, vs = [], [], []
    for i in range(n):
        x = feats[:, i]
        qs.append(block.conv_q(x).flatten(2).transpose(1, 2))  # [B, hw, d]
        ks.append(block.conv_k(x).flatten(2).transpose(1, 2))
        vs.append(block.conv_v(x).flatten(2).transpose(1, 2))  # [B, hw, 1]
    logits_up = []
    for i in range(n):
        # N=2: cross-attention with the other image; N>=3: logits summed
        # over all other images before one softmax.
        logit = sum(qs[i] @ ks[j].transpose(1, 2) for j in range(n) if j != i)
        attn = (logit / math.sqrt(d)).softmax(-1)
        m = (attn @ vs[i]).transpose(1, 2).reshape(b, 1, h, w)
        logits_up.append(
            F.interpolate(m, size=size, mode='bilinear', align_corners=False))
    return torch.cat(logits_up, 1).softmax(1)


@pytest.mark.parametrize('n', [2, 3])
def test_vectorised_matches_per_image_formula(n):
    block = _block()
    feats = torch.randn(3, n, 8, 4, 4)
    got = block(feats, torch.full((n, ), 1.0 / n), (16, 16))
    want = _explicit_masks(block, feats, (16, 16))
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_two_image_mask_is_sigmoid_of_logit_difference():
    block = _block()
    feats = torch.randn(2, 2, 8, 4, 4)
    masks = block(feats, torch.tensor([0.5, 0.5]), (4, 4))
    # softmax over 2 images == sigmoid of the difference; M1 + M2 = 1.
    torch.testing.assert_close(masks[:, 0], 1 - masks[:, 1])


def test_relu_on_query_and_key_by_default_and_none_removes_it():
    assert isinstance(_block().conv_q.activate, torch.nn.ReLU)
    assert not _block(att_act_cfg=None).conv_q.with_activation


@pytest.mark.parametrize('scale', [1e30, -1e30, 0.0])
def test_finite_under_extreme_inputs(scale):
    block = _block()
    feats = torch.randn(2, 3, 8, 4, 4) * scale
    masks = block(feats, torch.tensor([0.2, 0.3, 0.5]), (8, 8))
    assert torch.isfinite(masks).all()
    torch.testing.assert_close(masks.sum(1), torch.ones(2, 8, 8))


def test_lam_concat_makes_masks_depend_on_ratios():
    feats = torch.randn(2, 2, 8, 4, 4)
    lam_a, lam_b = torch.tensor([0.9, 0.1]), torch.tensor([0.1, 0.9])
    with_lam = _block(lam_concat=True)
    assert with_lam.conv_q.conv.in_channels == 9
    assert not torch.allclose(with_lam(feats, lam_a, (8, 8)),
                              with_lam(feats, lam_b, (8, 8)))
    without = _block(lam_concat=False)
    torch.testing.assert_close(without(feats, lam_a, (8, 8)),
                               without(feats, lam_b, (8, 8)))
    # Per-sample ratios [B, N] are accepted too.
    per_sample = torch.tensor([[0.9, 0.1], [0.1, 0.9]])
    out = with_lam(feats, per_sample, (8, 8))
    torch.testing.assert_close(out[0], with_lam(feats, lam_a, (8, 8))[0])
    torch.testing.assert_close(out[1], with_lam(feats, lam_b, (8, 8))[1])


def test_upsampling_happens_before_the_softmax():
    block = _block(upsample_mode='nearest')
    feats = torch.randn(1, 2, 8, 2, 2)
    masks = block(feats, torch.tensor([0.5, 0.5]), (4, 4))
    # nearest x2 of 2x2 logits: each 2x2 tile of the output is constant.
    tiles = masks[0, 0].reshape(2, 2, 2, 2).permute(0, 2, 1, 3)
    assert torch.allclose(tiles, tiles[..., :1, :1].expand_as(tiles))


def test_fp32_under_autocast():
    block = _block()
    feats = torch.randn(2, 2, 8, 4, 4).bfloat16()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        masks = block(feats, torch.tensor([0.5, 0.5]), (8, 8))
    assert masks.dtype == torch.float32


def test_reference_init_is_normal_std_001():
    block = AttentionMixBlock(in_channels=64)
    block.init_weights()
    w = block.conv_q.conv.weight
    assert abs(w.std().item() - 0.01) < 0.002
    assert torch.all(block.conv_q.conv.bias == 0)


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match='in_channels'):
        AttentionMixBlock(in_channels=None)
    with pytest.raises(ValueError, match="upsample_mode.*'trilinear'"):
        AttentionMixBlock(in_channels=8, upsample_mode='trilinear')
    with pytest.raises(TypeError, match='unsampling_mode'):
        MODELS.build(dict(type='AttentionMixBlock', in_channels=8,
                          unsampling_mode='bilinear'))
    block = AttentionMixBlock(in_channels=8, scale_factor=4)
    with pytest.raises(ValueError, match='scale_factor=4'):
        block(torch.randn(1, 2, 8, 4, 4), torch.tensor([.5, .5]), (32, 32))
    with pytest.raises(ValueError, match='N >= 2'):
        block(torch.randn(1, 1, 8, 4, 4), torch.tensor([1.0]), (16, 16))
    with pytest.raises(ValueError, match=r'shape \(2,\)'):
        AttentionMixBlock(in_channels=8, lam_concat=True)(
            torch.randn(1, 2, 8, 4, 4), torch.tensor([.2, .3, .5]), (16, 16))
