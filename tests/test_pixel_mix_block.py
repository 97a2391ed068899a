"""PixelMixBlock (AutoMix / SAMix): masks against a hand computation, their
shape/range/sum, lambda encodings, the mask losses on a fixed tensor, the
reference's scale factor and configuration errors."""
import math

import pytest
import torch
from mmpretrain.registry import MODELS

import adautomix_mm  # noqa: F401
from adautomix_mm.models.mix_blocks import PixelMixBlock


def block(**kw):
    torch.manual_seed(0)
    cfg = dict(type='PixelMixBlock', in_channels=6)
    cfg.update(kw)
    m = MODELS.build(cfg)
    m.init_weights()
    for p in m.parameters():  # non-trivial masks (init std 0.01 is ~flat)
        torch.nn.init.normal_(p, 0.0, 0.5)
    return m


def feats(b=3, c=6, h=4, w=4, seed=1):
    torch.manual_seed(seed)
    return torch.randn(b, 2, c, h, w)


def test_masks_shape_range_and_sum():
    m = block()
    masks = m(feats(), torch.tensor([0.3, 0.7]), (16, 16))
    assert masks.shape == (3, 2, 16, 16)
    assert masks.min() >= 0 and masks.max() <= 1
    torch.testing.assert_close(masks.sum(1), torch.ones(3, 16, 16))
    # non-trivial: the masks vary over the image
    assert (masks.flatten(2).amax(-1) - masks.flatten(2).amin(-1)).min() > 0.01


def test_masks_equal_hand_computation():
    """M_b = sigmoid(Up(softmax(Q K^T / sqrt d) V_b)), one shared query
    projection for Q (image 1) and K (image 2), value from image 2 only."""
    m = block()
    z = feats(b=2)
    masks = m(z, torch.tensor([0.4, 0.6]), (4, 4))  # no upsampling
    wq = m.query.conv.weight.view(3, 6)
    bq = m.query.conv.bias
    wv, bv = m.value.weight.view(1, 6), m.value.bias
    for i in range(2):
        a = z[i, 0].reshape(6, 16).T  # [hw, C]
        bb = z[i, 1].reshape(6, 16).T
        q = a @ wq.T + bq
        k = bb @ wq.T + bq
        p = torch.softmax(q @ k.T / math.sqrt(3), dim=1)
        m_b = torch.sigmoid(p @ (bb @ wv.T + bv)).view(4, 4)
        torch.testing.assert_close(masks[i, 1], m_b)
        torch.testing.assert_close(masks[i, 0], 1 - m_b)


def test_lam_concat_makes_masks_depend_on_lambda():
    z = feats()
    plain = block()
    torch.testing.assert_close(
        plain(z, torch.tensor([0.2, 0.8]), (16, 16)),
        plain(z, torch.tensor([0.7, 0.3]), (16, 16)))
    cat = block(lam_concat=True)
    assert cat.query.conv.in_channels == 7 and cat.value.in_channels == 7
    low = cat(z, torch.tensor([0.2, 0.8]), (16, 16))
    high = cat(z, torch.tensor([0.7, 0.3]), (16, 16))
    assert (low - high).abs().max() > 1e-3
    # per-sample ratios [B, 2] work too, and sample i uses its own lambda
    per = cat(z, torch.tensor([[0.2, 0.8], [0.7, 0.3], [0.2, 0.8]]), (16, 16))
    torch.testing.assert_close(per[0], low[0])
    torch.testing.assert_close(per[1], high[1])


def test_lam_mul_rescaling_and_samix_options():
    # lambda' = (4/3 l^3 - 2 l^2 + (k+1) l) / (k + 1/3), k = 0.25
    lam = torch.tensor([0.0, 0.25, 0.5, 1.0])
    want = torch.tensor([0.0, 0.2083333 / 0.5833333, 0.5, 1.0])
    torch.testing.assert_close(PixelMixBlock.rescale_lam(lam, 0.25), want)
    torch.testing.assert_close(PixelMixBlock.rescale_lam(lam, -1), lam)
    samix = block(lam_mul=1.0, lam_residual=True, lam_mul_k=0.25,
                  x_qk_concat=True, upsample_mode='bilinear',
                  value_neck_cfg=dict(hid_channels=4, num_layers=2,
                                      norm_cfg=dict(type='BN')),
                  mask_loss_mode='L1+Variance')
    assert samix.key is not None and samix.query.conv.in_channels == 12
    assert len(samix.value) == 2 and samix.value[-1].out_channels == 1
    z = feats()
    a = samix(z, torch.tensor([0.2, 0.8]), (16, 16))
    b = samix(z, torch.tensor([0.7, 0.3]), (16, 16))
    assert (a - b).abs().max() > 1e-3  # lam_mul encodes lambda
    torch.testing.assert_close(a.sum(1), torch.ones(3, 16, 16))


def test_samix_value_neck_is_openmixup_convneck_with_its_defaults():
    """ConvNeck (openmixup necks/conv_necks.py) defaults: BN + ELU on the
    hidden conv, no bias in any conv, the last included; with_bias=True
    puts one in every conv."""
    neck = block(value_neck_cfg=dict(hid_channels=4)).value
    hidden, last = neck
    assert hidden.conv.bias is None and last.bias is None
    assert type(hidden.activate).__name__ == 'ELU'
    assert type(hidden.norm).__name__ == 'BatchNorm2d'
    assert (hidden.conv.out_channels, last.out_channels) == (4, 1)
    biased = block(value_neck_cfg=dict(hid_channels=4, with_bias=True)).value
    assert biased[0].conv.bias is not None and biased[1].bias is not None
    with pytest.raises(ValueError, match='with_bias'):
        block(value_neck_cfg=dict(with_bias=1))


def test_mask_loss_equals_hand_computation_for_both_modes():
    m_b = torch.tensor([[[0.0, 0.5], [1.0, 0.5]],
                        [[0.2, 0.2], [0.2, 0.2]]])  # [B=2, 2, 2]
    masks = torch.stack([1 - m_b, m_b], dim=1)
    # mean(M_b) = (2.0 + 0.8) / 8 = 0.35; lambda = 0.3:
    # L1 = max(|1 - 0.35 - 0.3| - 0.1, 0) = 0.25
    l1 = block(mask_loss_margin=0.1).mask_loss(masks, torch.tensor([0.3, 0.7]))
    assert l1.item() == pytest.approx(0.25)
    # lambda = 0.6: |0.05| - 0.1 < 0 -> 0
    assert block().mask_loss(masks, torch.tensor([0.6, 0.4])).item() == 0.0
    # variance of M_b around 0.35: sum of squares = 0.1225 + 0.0225 + 0.4225
    # + 0.0225 + 4 * 0.0225 = 0.68, / 8 = 0.085; L1+Var = 0.25 - 2 * 0.085
    lv = block(mask_loss_mode='L1+Variance').mask_loss(
        masks, torch.tensor([0.3, 0.7]))
    assert lv.item() == pytest.approx(0.25 - 0.17)


def test_mask_loss_gradient_pushes_the_share_towards_lambda():
    m = block()
    z = feats()
    lam = torch.tensor([0.05, 0.95])
    masks = m(z, lam, (16, 16))
    loss = m.mask_loss(masks, lam)
    assert loss.item() > 0
    loss.backward()
    assert all(p.grad is not None for p in m.parameters())


def test_scale_factor_by_image_size_is_the_reference_choice():
    m = block(scale_factor='by_image_size', mask_layer=2)
    # <= 64 px: x4 (CIFAR); > 64 px: x16 (ImageNet)
    assert m(feats(h=8, w=8), torch.tensor([.5, .5]), (32, 32)).shape[-1] == 32
    assert m(feats(b=1, h=6, w=6), torch.tensor([.5, .5]),
             (96, 96)).shape[-1] == 96
    with pytest.raises(ValueError, match='scale_factor=None'):
        m(feats(h=4, w=4), torch.tensor([.5, .5]), (32, 32))


def test_nearest_and_bilinear_upsampling_differ():
    z = feats()
    near = block(upsample_mode='nearest')(z, torch.tensor([.5, .5]), (16, 16))
    bil = block(upsample_mode='bilinear')(z, torch.tensor([.5, .5]), (16, 16))
    # nearest: constant 4x4 blocks
    torch.testing.assert_close(near[:, :, :4, :4],
                               near[:, :, :1, :1].expand(-1, -1, 4, 4))
    assert (near - bil).abs().max() > 1e-4


@pytest.mark.parametrize('kw, key', [
    (dict(in_channels=None), 'in_channels'),
    (dict(upsample_mode='area'), 'upsample_mode'),
    (dict(scale_factor='auto'), 'scale_factor'),
    (dict(mask_loss_mode='L2'), 'mask_loss_mode'),
    (dict(lam_concat=True, lam_mul=0.5), 'lam_concat'),
    (dict(lam_mul=2.0), 'lam_mul'),
    (dict(value_neck_cfg=dict(hid=4)), 'value_neck_cfg'),
])
def test_bad_arguments_name_the_key(kw, key):
    cfg = dict(type='PixelMixBlock', in_channels=6)
    cfg.update(kw)
    with pytest.raises(ValueError, match=key):
        MODELS.build(cfg)


def test_wrong_number_of_images_is_an_error():
    with pytest.raises(ValueError, match='two images'):
        block()(torch.randn(2, 3, 6, 4, 4), torch.tensor([.5, .5]), (4, 4))
