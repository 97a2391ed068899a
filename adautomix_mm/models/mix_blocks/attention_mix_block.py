"""AdAutoMix's attention Mix Block: the mixed-sample generator.

Reference semantics: JinXins/Adversarial-AutoMixup
``openmixup/models/heads/Ada_mix_pine.py`` (class ``AdaptiveMask``; the same
class as Westlake-AI/openmixup ``openmixup/models/heads/adaptive_mask.py``)
and Qin et al., "Adversarial AutoMixup", ICLR 2024, Sec. 3. This is a fresh
implementation, vectorised over the N images.
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmpretrain.registry import MODELS

from .base import UPSAMPLE_MODES, MixBlockBase, check_width

# Attention logits beyond this magnitude are clamped (fp32 max is ~3.4e38):
# the reference clamps +-inf to +-1e25 and re-computes NaN masks in fp64 with
# asymmetric constants; clamping the logits keeps every softmax finite.
_LOGIT_LIMIT = 1e25
ATT_NORM_MODES = ('per_set', 'joint')


@MODELS.register_module()
class AttentionMixBlock(MixBlockBase):
    r"""Cross-attention mask generator for N >= 2 images.

    For feature maps :math:`z_1..z_N` (the same module is shared by all
    images; optionally each gets a constant channel holding its ratio
    :math:`\lambda_i` when ``lam_concat``):

    .. math::
        Q_i = \phi_q(z_i),\quad K_i = \phi_k(z_i) \in \mathbb{R}^{hw\times d},
        \quad V_i = W_v z_i \in \mathbb{R}^{hw\times 1}

        A_i = \mathrm{softmax}_{row}\big(Q_i (\textstyle\sum_{j\ne i} K_j)^\top
        / \sqrt{d}\big),\qquad m_i = A_i V_i

        M = \mathrm{softmax}_{i}\big(\mathrm{Up}(m_1), \dots,
        \mathrm{Up}(m_N)\big) \in [0, 1]^{N\times H\times W},
        \quad \textstyle\sum_i M_i = 1

    :math:`\phi_q, \phi_k` are 1x1 convs halving the channels
    (``d = C // reduction``) followed by ``att_act_cfg`` (ReLU as the
    reference, mmcv's ``ConvModule`` default) and optional ``att_norm_cfg``.
    For N = 2 the sum over :math:`j \ne i` is the other image, i.e. plain
    cross-attention. Because :math:`\sum_j Q_i K_j^\top = Q_i(\sum_j K_j)^\top`
    all images are handled by one batched matmul. Logits are upsampled
    *before* the softmax over images, and the whole block runs in fp32 even
    under autocast.

    Args:
        in_channels (int): channels of the mix-stage feature map. AdAutoMix
            fills it from its backbone when the config leaves it ``None``.
        reduction (int): ``d = in_channels // reduction``. Defaults to 2.
        lam_concat (bool): append the ratio channel. Defaults to False (the
            reference's CIFAR/Tiny-ImageNet setting).
        use_scale (bool): divide the logits by :math:`\sqrt{d}`.
        upsample_mode (str): 'nearest', 'bilinear' or 'bicubic'.
        scale_factor (int, optional): the reference's fixed upsampling factor.
            ``None`` upsamples to the requested output size; when given it must
            map the feature size exactly onto the output size.
        att_norm_cfg (dict, optional): norm layer of the q/k convs.
        att_norm_mode (str): how a norm with batch statistics (BN) in the q/k
            convs sees the N image sets. 'per_set' (the reference: its q/k
            modules are called once per image set, so BN normalises each set
            of B maps with its own statistics and updates its running
            statistics N times, sets 1..N) or 'joint' (one call on all N*B
            maps: one set of statistics, one running update). They differ
            with ``lam_concat``: per set, BN removes the constant ratio
            channel's contribution (a per-set shift), jointly it keeps it.
            Without ``att_norm_cfg`` both are the same computation.
        att_act_cfg (dict, optional): activation of the q/k convs.
        init_std (float, optional): std of the normal init of every conv,
            bias 0 (reference: 0.01). ``None`` keeps the library defaults
            instead: mmcv ``ConvModule``'s Kaiming init (fan_out, ReLU gain) for the
            q/k convs and PyTorch's ``Conv2d`` default for the value conv;
            queries and keys then start O(1) rather than O(0.01), so the
            attention (and with it the mask layout) is not uniform at step 0.
    """

    def __init__(self,
                 in_channels: Optional[int] = None,
                 reduction: int = 2,
                 lam_concat: bool = False,
                 use_scale: bool = True,
                 upsample_mode: str = 'bilinear',
                 scale_factor: Optional[int] = None,
                 att_norm_cfg: Optional[dict] = None,
                 att_norm_mode: str = 'joint',
                 att_act_cfg: Optional[dict] = dict(type='ReLU'),
                 init_std: Optional[float] = 0.01,
                 init_cfg: Optional[Union[dict, list]] = None):
        super().__init__(init_cfg=init_cfg)
        check_width('AttentionMixBlock', 'AdAutoMix', in_channels, reduction)
        if upsample_mode not in UPSAMPLE_MODES:
            raise ValueError(f'AttentionMixBlock: upsample_mode must be one of '
                             f'{UPSAMPLE_MODES}, got {upsample_mode!r}')
        if scale_factor is not None and (not isinstance(scale_factor, int)
                                         or scale_factor < 1):
            raise ValueError(f'AttentionMixBlock: scale_factor must be a '
                             f'positive int or None, got {scale_factor!r}')
        if att_norm_mode not in ATT_NORM_MODES:
            raise ValueError(f'AttentionMixBlock: att_norm_mode must be one '
                             f'of {ATT_NORM_MODES}, got {att_norm_mode!r}')
        if init_std is not None and not float(init_std) > 0:
            raise ValueError(f'AttentionMixBlock: init_std must be > 0 or '
                             f'None (library default init), got {init_std!r}')
        self.in_channels = in_channels
        self.lam_concat = lam_concat
        self.use_scale = use_scale
        self.upsample_mode = upsample_mode
        self.scale_factor = scale_factor
        self.init_std = init_std
        self.att_norm_mode = att_norm_mode
        self.per_set_norm = (att_norm_cfg is not None
                             and att_norm_mode == 'per_set')
        self.inter_channels = in_channels // reduction
        # Forward passes whose logits held NaN/inf, replaced by finite values
        # (the reference tolerates them too); read and logged by
        # NonFiniteLossHook, so the fallback does not hide a divergence.
        self.register_buffer('nonfinite_fallbacks',
                             torch.zeros((), dtype=torch.long),
                             persistent=False)
        width = in_channels + int(lam_concat)
        self.conv_q = ConvModule(
            width, self.inter_channels, 1, bias='auto',
            norm_cfg=att_norm_cfg, act_cfg=att_act_cfg)
        self.conv_k = ConvModule(
            width, self.inter_channels, 1, bias='auto',
            norm_cfg=att_norm_cfg, act_cfg=att_act_cfg)
        self.conv_v = nn.Conv2d(width, 1, 1)
        self._reset_convs()

    def forward(self, feats: torch.Tensor, lam: torch.Tensor,
                out_size: Sequence[int]) -> torch.Tensor:
        """Masks for N images.

        Args:
            feats: ``[B, N, C, h, w]`` feature maps of the images to mix.
            lam: mixing ratios, ``[N]`` (one per image) or ``[B, N]``.
            out_size: ``(H, W)`` of the images the masks apply to.

        Returns:
            ``[B, N, H, W]`` masks in [0, 1] that sum to 1 over N per pixel.
        """
        if feats.dim() != 5:
            raise ValueError('AttentionMixBlock expects features [B, N, C, h, '
                             f'w], got shape {tuple(feats.shape)}')
        b, n, c, h, w = feats.shape
        if n < 2:
            raise ValueError(f'AttentionMixBlock needs N >= 2 images, got {n}')
        if c != self.in_channels:
            raise ValueError(f'AttentionMixBlock built for in_channels='
                             f'{self.in_channels}, got features with {c}')
        out_size = self._check_out_size((h, w), out_size)
        with torch.autocast(device_type=feats.device.type, enabled=False):
            x = feats.float()
            if self.lam_concat:
                lam_map = _ratios_as_map(lam, b, n, h, w).to(x)
                x = torch.cat([x, lam_map], dim=2)
            hw, d = h * w, self.inter_channels
            q = self._project(self.conv_q, x).view(b, n, d, hw)
            q = q.transpose(-1, -2)
            k = self._project(self.conv_k, x).view(b, n, d, hw)
            v = self.conv_v(x.flatten(0, 1)).float().view(b, n, hw, 1)
            # Keys of "all other images" for each image i: an exact sum
            # (no subtraction, so no cancellation for large activations).
            others = 1.0 - torch.eye(n, device=x.device, dtype=x.dtype)
            k_others = torch.einsum('ij,bjdl->bidl', others, k)
            logits = torch.matmul(q, k_others)
            if self.use_scale:
                logits = logits / math.sqrt(d)
            bad = ~torch.isfinite(logits).all()
            logits = _finite(logits)
            attn = logits.softmax(dim=-1)
            m = self._upsample(torch.matmul(attn, v).view(b, n, h, w),
                               out_size)
            bad = bad | ~torch.isfinite(m).all()
            self.nonfinite_fallbacks += bad.to(self.nonfinite_fallbacks)
            return _finite(m).softmax(dim=1)

    def _project(self, conv: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """q/k projection of ``[B, N, C', h, w]`` maps -> ``[B, N, d, h, w]``:
        one call per image set (``att_norm_mode='per_set'``, the
        reference's calls) or one call on all sets."""
        if self.per_set_norm:
            return torch.stack([conv(x[:, i]).float()
                                for i in range(x.size(1))], dim=1)
        return conv(x.flatten(0, 1)).float().unflatten(0, x.shape[:2])

    def _check_out_size(self, feat_size: Tuple[int, int],
                        out_size: Sequence[int]) -> Tuple[int, int]:
        out_size = (int(out_size[0]), int(out_size[1]))
        if self.scale_factor is not None:
            scaled = (feat_size[0] * self.scale_factor,
                      feat_size[1] * self.scale_factor)
            if scaled != out_size:
                raise ValueError(
                    f'AttentionMixBlock: scale_factor={self.scale_factor} maps '
                    f'features {feat_size} to {scaled}, but the images are '
                    f'{out_size}; set scale_factor=None to upsample to the '
                    'image size.')
        return out_size

    def _upsample(self, m: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
        if tuple(m.shape[-2:]) == size:
            return m
        if self.upsample_mode == 'nearest':
            return F.interpolate(m, size=size, mode='nearest')
        return F.interpolate(
            m, size=size, mode=self.upsample_mode, align_corners=False)


def _finite(x: torch.Tensor) -> torch.Tensor:
    return torch.nan_to_num(
        x, nan=0.0, posinf=_LOGIT_LIMIT,
        neginf=-_LOGIT_LIMIT).clamp_(-_LOGIT_LIMIT, _LOGIT_LIMIT)


def _ratios_as_map(lam: torch.Tensor, b: int, n: int, h: int,
                   w: int) -> torch.Tensor:
    """``[N]`` or ``[B, N]`` ratios as constant maps ``[B, N, 1, h, w]``."""
    lam = torch.as_tensor(lam)
    if lam.shape == (n, ):
        lam = lam.view(1, n).expand(b, n)
    elif lam.shape != (b, n):
        raise ValueError(f'mixing ratios must have shape ({n},) or ({b}, {n}), '
                         f'got {tuple(lam.shape)}')
    return lam.reshape(b, n, 1, 1, 1).expand(b, n, 1, h, w)
