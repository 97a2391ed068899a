"""AutoMix's Pixel Mix Block (and its SAMix options): a 2-image generator.

Reference semantics: Westlake-AI/openmixup
``openmixup/models/heads/pmix_block.py`` (class ``PixelMixBlock``), as
described in the AutoMix paper (Liu et al., "AutoMix: Unveiling the Power of
Mixup for Stronger Classifiers", ECCV 2022) and SAMix (Li et al., "Boosting
Discriminative Visual Representation Learning with Scenario-Agnostic Mixup",
arXiv:2111.15454). A fresh implementation with the same maths; the
reference's NaN fallbacks are replaced by clamping the logits (see
:func:`_finite`).
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmpretrain.registry import MODELS

from .attention_mix_block import _finite
from .base import UPSAMPLE_MODES, MixBlockBase, check_width

MASK_LOSS_MODES = ('L1', 'L1+Variance')
SCALE_BY_IMAGE_SIZE = 'by_image_size'


@MODELS.register_module()
class PixelMixBlock(MixBlockBase):
    r"""Cross-attention mask generator for two images (AutoMix / SAMix).

    For features :math:`z_a` (image 1, ratio :math:`\lambda`) and
    :math:`z_b` (image 2, ratio :math:`1-\lambda`), optionally encoded with
    :math:`\lambda` (``lam_concat``: a constant channel :math:`\lambda` /
    :math:`1-\lambda`; ``lam_mul``: SAMix's scaling, below):

    .. math::
        Q = W_q z_a,\quad K = W_k z_b \in \mathbb{R}^{hw\times d},\quad
        V_b = g(z_b) \in \mathbb{R}^{hw\times 1}

        P = \mathrm{softmax}_{row}(Q K^\top / \sqrt{d}),\qquad
        M_b = \sigma\big(\mathrm{Up}(P V_b)\big),\qquad M_a = 1 - M_b

    One projection :math:`W_q = W_k` (``query``) without activation unless
    ``x_qk_concat`` (SAMix: q and k both from :math:`[z_a, z_b]`, separate
    ``key``); :math:`g` is a 1x1 conv to one channel or a ``value_neck_cfg``
    stack. The upsampling acts on the logits, before the sigmoid.

    SAMix ``lam_mul`` (with ``lam_residual``):
    :math:`z_a \leftarrow z_a(1 + \lambda' m)`,
    :math:`z_b \leftarrow z_b(1 + (1-\lambda') m)` (without residual
    :math:`z_a\lambda', z_b(1-\lambda')`), m = ``lam_mul``,
    :math:`\lambda' = (\frac43\lambda^3 - 2\lambda^2 + (k+1)\lambda) /
    (k + \frac13)` with k drawn from ``lam_mul_k`` (k < 0: :math:`\lambda'
    = \lambda`).

    Mask loss (:meth:`mask_loss`), with :math:`\bar m` the mean of
    :math:`M_b` over the whole batch and :math:`\epsilon` =
    ``mask_loss_margin``:
    ``'L1'``: :math:`\max(|1 - \bar m - \lambda| - \epsilon, 0)`;
    ``'L1+Variance'`` (SAMix): that minus :math:`2\,\mathrm{mean}(M_b -
    \bar m)^2`.

    Args:
        in_channels (int): channels C of the mix-stage features (AutoMix
            fills it from its backbone when left ``None``).
        reduction (int): d = C // reduction. Defaults to 2.
        use_scale (bool): divide the logits by :math:`\sqrt d`.
        upsample_mode (str | list): 'nearest' (AutoMix), 'bilinear' (SAMix),
            'bicubic', or a list to draw one per call (reference).
        scale_factor (None | int | 'by_image_size'): ``None`` upsamples to
            the image size; an int is a fixed factor; ``'by_image_size'`` is
            the reference's choice, :math:`2^{L}` for images at most 64 px
            wide, else :math:`2^{L+2}` (L = ``mask_layer``). A factor must
            map the features exactly onto the image.
        mask_layer (int): L of ``'by_image_size'`` (the reference's
            ``mask_layer``: 2 for stage-3 CNN features).
        lam_concat (bool): append the ratio channel to q, k and v.
        lam_mul (float): SAMix's ratio scaling m (0 = off).
        lam_mul_k (float | list): k of the rescaled ratio (-1 = identity).
        lam_residual (bool): SAMix's residual form of ``lam_mul``.
        value_neck_cfg (dict, optional): SAMix's non-linear value network
            of 1x1 convs, OpenMixup's ``ConvNeck`` and its defaults:
            ``dict(hid_channels=128, num_layers=2, norm_cfg=dict(type='BN'),
            act_cfg=dict(type='ELU'), with_bias=False)`` (``with_bias``:
            a bias in every conv, the last included); ``None``: one 1x1
            conv with a bias (AutoMix).
        x_qk_concat (bool): SAMix: q and k from :math:`[z_a, z_b]`.
        att_norm_cfg (dict, optional): norm of the q/k projections.
        att_act_cfg (dict, optional): activation of the q/k projections
            (``None``, the reference's AutoMix setting).
        mask_loss_mode (str): 'L1' (AutoMix) or 'L1+Variance' (SAMix).
        mask_loss_margin (float): :math:`\epsilon`. Defaults to 0.1.
        init_std (float): std of the normal init of every conv (bias 0).
    """

    def __init__(self,
                 in_channels: Optional[int] = None,
                 reduction: int = 2,
                 use_scale: bool = True,
                 upsample_mode: Union[str, Sequence[str]] = 'nearest',
                 scale_factor: Union[None, int, str] = None,
                 mask_layer: int = 2,
                 lam_concat: bool = False,
                 lam_mul: float = 0.0,
                 lam_mul_k: Union[float, Sequence[float]] = -1,
                 lam_residual: bool = False,
                 value_neck_cfg: Optional[dict] = None,
                 x_qk_concat: bool = False,
                 att_norm_cfg: Optional[dict] = None,
                 att_act_cfg: Optional[dict] = None,
                 mask_loss_mode: str = 'L1',
                 mask_loss_margin: float = 0.1,
                 init_std: float = 0.01,
                 init_cfg: Optional[Union[dict, list]] = None):
        super().__init__(init_cfg=init_cfg)
        name = 'PixelMixBlock'
        check_width(name, 'AutoMix', in_channels, reduction)
        modes = [upsample_mode] if isinstance(upsample_mode, str) \
            else list(upsample_mode)
        if not modes or any(m not in UPSAMPLE_MODES for m in modes):
            raise ValueError(f'{name}: upsample_mode must be one of '
                             f'{UPSAMPLE_MODES} or a non-empty list of them, '
                             f'got {upsample_mode!r}')
        if not (scale_factor is None or scale_factor == SCALE_BY_IMAGE_SIZE
                or (isinstance(scale_factor, int) and scale_factor >= 1)):
            raise ValueError(
                f'{name}: scale_factor must be None, a positive int or '
                f'{SCALE_BY_IMAGE_SIZE!r}, got {scale_factor!r}')
        if not isinstance(mask_layer, int) or mask_layer < 0:
            raise ValueError(f'{name}: mask_layer must be an int >= 0, got '
                             f'{mask_layer!r}')
        if not 0.0 <= float(lam_mul) <= 1.0:
            raise ValueError(f'{name}: lam_mul must be in [0, 1], got '
                             f'{lam_mul!r}')
        ks = [lam_mul_k] if isinstance(lam_mul_k, (int, float)) \
            else list(lam_mul_k)
        if not ks:
            raise ValueError(f'{name}: lam_mul_k must not be empty')
        if lam_concat and (lam_mul or x_qk_concat):
            # As the reference: the three encode lambda into q/k differently.
            raise ValueError(
                f'{name}: lam_concat cannot be combined with lam_mul or '
                'x_qk_concat (each encodes the ratio into q and k; pick one)')
        if mask_loss_mode not in MASK_LOSS_MODES:
            raise ValueError(f'{name}: mask_loss_mode must be one of '
                             f'{MASK_LOSS_MODES}, got {mask_loss_mode!r}')
        if not float(mask_loss_margin) >= 0.0:
            raise ValueError(f'{name}: mask_loss_margin must be >= 0, got '
                             f'{mask_loss_margin!r}')
        self.in_channels = in_channels
        self.inter_channels = in_channels // reduction
        self.use_scale = use_scale
        self.upsample_modes = modes
        self.scale_factor = scale_factor
        self.mask_layer = mask_layer
        self.lam_concat = bool(lam_concat)
        self.lam_mul = float(lam_mul)
        # The reference caps k at 10 and maps negative k to "no rescaling".
        self.lam_mul_k = [min(float(k), 10.0) if k >= 0 else -1.0 for k in ks]
        self.lam_residual = bool(lam_residual)
        self.x_qk_concat = bool(x_qk_concat)
        self.mask_loss_mode = mask_loss_mode
        self.mask_loss_margin = float(mask_loss_margin)
        self.init_std = init_std

        width = in_channels + int(self.lam_concat)
        qk_width = 2 * in_channels if self.x_qk_concat else width
        self.query = ConvModule(qk_width, self.inter_channels, 1, bias='auto',
                                norm_cfg=att_norm_cfg, act_cfg=att_act_cfg)
        self.key = ConvModule(
            qk_width, self.inter_channels, 1, bias='auto',
            norm_cfg=att_norm_cfg,
            act_cfg=att_act_cfg) if self.x_qk_concat else None
        self.value = _value_net(width, value_neck_cfg)
        self._reset_convs()

    @staticmethod
    def rescale_lam(lam: torch.Tensor, k: float) -> torch.Tensor:
        r"""SAMix's :math:`\lambda' = (\frac43\lambda^3 - 2\lambda^2 +
        (k+1)\lambda) / (k + \frac13)` (k < 0: :math:`\lambda`)."""
        if k < 0:
            return lam
        k = k + 1.0
        return (4.0 / 3.0 * lam**3 - 2.0 * lam**2 + k * lam) / (k - 2.0 / 3.0)

    def forward(self, feats: torch.Tensor, lam: torch.Tensor,
                out_size: Sequence[int]) -> torch.Tensor:
        """Masks for two images.

        Args:
            feats: ``[B, 2, C, h, w]`` features of image 1 and image 2.
            lam: ratios ``[2]`` (``[lam, 1 - lam]``) or ``[B, 2]``.
            out_size: ``(H, W)`` of the images.

        Returns:
            ``[B, 2, H, W]`` masks ``(M_a, M_b)`` in [0, 1], summing to 1.
        """
        if feats.dim() != 5 or feats.shape[1] != 2:
            raise ValueError('PixelMixBlock expects features [B, 2, C, h, w] '
                             f'(two images), got {tuple(feats.shape)}')
        b, _, c, h, w = feats.shape
        if c != self.in_channels:
            raise ValueError(f'PixelMixBlock built for in_channels='
                             f'{self.in_channels}, got features with {c}')
        out_size = self._out_size((h, w), out_size)
        with torch.autocast(device_type=feats.device.type, enabled=False):
            lam_a = _first_ratio(lam, b).to(feats.device, torch.float32)
            x_a, x_b = feats[:, 0].float(), feats[:, 1].float()
            if self.lam_mul > 0:
                k = self.lam_mul_k[_draw(len(self.lam_mul_k))]
                lam_r = self.rescale_lam(lam_a, k).view(b, 1, 1, 1)
                if self.lam_residual:
                    x_a = x_a * (1.0 + lam_r * self.lam_mul)
                    x_b = x_b * (1.0 + (1.0 - lam_r) * self.lam_mul)
                else:
                    x_a, x_b = x_a * lam_r, x_b * (1.0 - lam_r)
            if self.lam_concat:
                lam_map = lam_a.view(b, 1, 1, 1).expand(b, 1, h, w)
                x_a = torch.cat([x_a, lam_map], dim=1)
                x_b = torch.cat([x_b, 1.0 - lam_map], dim=1)
            hw, d = h * w, self.inter_channels
            v = self.value(x_b).float().view(b, hw, 1)
            if self.x_qk_concat:
                x_a = x_b = torch.cat([x_a, x_b], dim=1)
            key = self.key if self.key is not None else self.query
            q = self.query(x_a).float().view(b, d, hw).transpose(1, 2)
            k = key(x_b).float().view(b, d, hw)
            logits = torch.matmul(q, k)
            if self.use_scale:
                logits = logits / math.sqrt(d)
            attn = _finite(logits).softmax(dim=-1)
            m_b = torch.matmul(attn, v).view(b, 1, h, w)
            m_b = _finite(self._upsample(m_b, out_size)).sigmoid()
            return torch.cat([1.0 - m_b, m_b], dim=1)

    def _out_size(self, feat_size: Tuple[int, int],
                  out_size: Sequence[int]) -> Tuple[int, int]:
        out_size = (int(out_size[0]), int(out_size[1]))
        factor = self.scale_factor
        if factor == SCALE_BY_IMAGE_SIZE:
            # AutoMixup.pixel_mixup: x4 on CIFAR-sized images, x16 else
            # (mask_layer = 2).
            factor = 2**self.mask_layer if out_size[1] <= 64 \
                else 2**(self.mask_layer + 2)
        if factor is not None:
            scaled = (feat_size[0] * factor, feat_size[1] * factor)
            if scaled != out_size:
                raise ValueError(
                    f'PixelMixBlock: scale factor {factor} (scale_factor='
                    f'{self.scale_factor!r}, mask_layer={self.mask_layer}) '
                    f'maps features {feat_size} to {scaled}, but the images '
                    f'are {out_size}; set scale_factor=None to upsample to '
                    'the image size.')
        return out_size

    def _upsample(self, m: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
        if tuple(m.shape[-2:]) == size:
            return m
        mode = self.upsample_modes[_draw(len(self.upsample_modes))]
        if mode == 'nearest':
            return F.interpolate(m, size=size, mode='nearest')
        return F.interpolate(m, size=size, mode=mode, align_corners=False)

    # ---------------------------------------------------------- mask loss
    def mask_loss(self, masks: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
        """The bound on the masks' mean (+ SAMix's variance reward); see the
        class docstring. ``masks``: ``[B, 2, H, W]``; ``lam``: ``[2]``."""
        m_b = masks[:, 1].float()
        mean = m_b.mean()
        lam_a = torch.as_tensor(lam, dtype=torch.float32,
                                device=masks.device).reshape(-1)[0]
        loss = torch.clamp((1.0 - mean - lam_a).abs() - self.mask_loss_margin,
                           min=0.0)
        if self.mask_loss_mode == 'L1+Variance':
            loss = loss - 2.0 * ((m_b - mean)**2).mean()
        return loss


def _value_net(width: int, cfg: Optional[dict]) -> nn.Module:
    """1x1 conv to one channel, or SAMix's value neck as OpenMixup's
    ``ConvNeck`` (``necks/conv_necks.py``, its defaults: ELU, no bias in any
    conv): ``num_layers`` 1x1 convs, ``hid_channels`` wide with norm and
    activation, the last to one channel without them (``with_last_norm=
    False``, no dropout, no residual)."""
    if cfg is None:
        return nn.Conv2d(width, 1, 1)
    cfg = dict(cfg)
    allowed = {'hid_channels', 'num_layers', 'norm_cfg', 'act_cfg',
               'with_bias'}
    unknown = set(cfg) - allowed
    if unknown:
        raise ValueError(f'PixelMixBlock: unknown value_neck_cfg keys '
                         f'{sorted(unknown)} (allowed: {sorted(allowed)})')
    hid = cfg.get('hid_channels', 128)
    num_layers = cfg.get('num_layers', 2)
    bias = cfg.get('with_bias', False)
    if not isinstance(num_layers, int) or num_layers < 1:
        raise ValueError(f'PixelMixBlock: value_neck_cfg.num_layers must be '
                         f'an int >= 1, got {num_layers!r}')
    if not isinstance(bias, bool):
        raise ValueError(f'PixelMixBlock: value_neck_cfg.with_bias must be '
                         f'a bool, got {bias!r}')
    layers, c = [], width
    for _ in range(num_layers - 1):
        layers.append(ConvModule(
            c, hid, 1, bias=bias,
            norm_cfg=cfg.get('norm_cfg', dict(type='BN')),
            act_cfg=cfg.get('act_cfg', dict(type='ELU'))))
        c = hid
    layers.append(nn.Conv2d(c, 1, 1, bias=bias))
    return nn.Sequential(*layers)


def _first_ratio(lam: torch.Tensor, b: int) -> torch.Tensor:
    """Image 1's ratio per sample, ``[B]``, from ``[2]`` or ``[B, 2]``."""
    lam = torch.as_tensor(lam)
    if lam.shape == (2, ):
        return lam[0].expand(b)
    if lam.shape == (b, 2):
        return lam[:, 0]
    raise ValueError(f'mixing ratios must have shape (2,) or ({b}, 2), got '
                     f'{tuple(lam.shape)}')


def _draw(n: int) -> int:
    # torch's RNG (seeded by MMEngine's `randomness`), not Python's `random`.
    return 0 if n == 1 else int(torch.randint(n, ()).item())
