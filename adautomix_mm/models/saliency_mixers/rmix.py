r"""R-Mix (Luu et al., "Improved Mixup with Saliency", arXiv 2212.04875).

Semantics of minhlong94/Random-Mixup ``environment.py``
(``compute_saliency``, ``step``) and ``mixup.py``
(``mix_topleast_choose_top``). Per batch, with the train-mode saliency
:math:`s` (:func:`input_saliency`; the clean loss is discarded):

1. :math:`\bar s = \mathrm{avgpool}_k(s)` with :math:`k \sim U`
   (``patch_sizes``), normalised to sum 1 per image;
2. per image :math:`q_i \sim U\{\mathrm{linspace}(0, 0.99, 10)\}`,
   :math:`m_i = [\bar s_i \ge \mathrm{quantile}(\bar s_i, q_i)]`
   (its top :math:`1 - q_i` patches), nearest-upsampled to the image;
3. one :math:`(w_1, w_2) \sim Dir(a, a)` per batch and partners
   :math:`\pi` (a random permutation; the ImageNet code ``imagenet/lib/
   rl_mix.py`` flips the batch, :math:`\pi(i) = B - 1 - i`); where :math:`m_i = m_{\pi(i)}`:
   :math:`w_1 x_i + w_2 x_{\pi(i)}`; where only :math:`m_i`: :math:`x_i`;
   where only :math:`m_{\pi(i)}`: :math:`x_{\pi(i)}`;
4. :math:`\tilde y_i = a_{eq}(w_1 y_i + w_2 y_\pi) + a_i y_i + a_\pi
   y_\pi` with the region area fractions, i.e. the areas of the two
   per-pixel weight maps (:func:`mix_targets_by_area`).
"""
from typing import Sequence

import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from ..utils import args
from ..utils.mixing import mix_targets_by_area, mix_with_masks


def quantile_masks(pooled: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """``[B, h, w]`` masks ``pooled_i >= quantile(pooled_i, q_i)`` (torch's
    linear interpolation, as the reference)."""
    flat = pooled.flatten(1)
    thr = torch.quantile(flat, q, dim=1).diagonal()  # [B]
    return (pooled >= thr.view(-1, 1, 1)).to(pooled.dtype)


def three_region_masks(mask: torch.Tensor, perm: torch.Tensor, w1: float,
                       w2: float) -> torch.Tensor:
    """Per-pixel weights ``[B, 2, H, W]`` of (x_i, x_pi(i)) from binary
    masks ``[B, H, W]``: (w1, w2) where the masks agree, (1, 0) / (0, 1)
    where only one is set."""
    m, mp = mask, mask[perm]
    eq = (m == mp).to(mask.dtype)
    return torch.stack([eq * w1 + (1 - eq) * m, eq * w2 + (1 - eq) * mp], 1)


@MODELS.register_module()
class RMix:
    """R-Mix mixer for :class:`SaliencyMixClassifier`.

    Args:
        patch_sizes (seq of int): pooling kernels drawn per batch (reference
            (8, 16) on 32x32: 4x4 or 2x2 patch grids; scale them with the
            image). A kernel that does not divide the image leaves a
            floor-sized grid, stretched to the image by nearest upsampling.
        num_actions (int), max_quantile (float): the quantile grid
            ``linspace(0, max_quantile, num_actions)`` (10, 0.99).
        dirichlet_alpha (float): :math:`(w_1, w_2) \\sim Dir(a, a)` (1.0,
            the CIFAR code; its ImageNet code hard-codes 0.2).
        clean_lam (float): weight of the kept clean loss (0: dropped, the
            CIFAR code; the ImageNet code keeps ``1 * CE``, which needs the
            classifier's ``clean_loss_scale='unscaled'``).
        partners (str): 'permutation' (``torch.randperm``, the CIFAR code)
            or 'flip' (the batch reversed, the ImageNet code).
    """
    saliency_mode = 'train'
    PARTNERS = ('permutation', 'flip')

    def __init__(self,
                 patch_sizes: Sequence[int] = (8, 16),
                 num_actions: int = 10,
                 max_quantile: float = 0.99,
                 dirichlet_alpha: float = 1.0,
                 clean_lam: float = 0.0,
                 partners: str = 'permutation'):
        for key, value in (('max_quantile', max_quantile),
                           ('dirichlet_alpha', dirichlet_alpha),
                           ('clean_lam', clean_lam)):
            args.number('RMix', key, value)
        checks = [
            ('patch_sizes', patch_sizes, len(patch_sizes) > 0 and all(
                isinstance(k, int) and k >= 1 for k in patch_sizes)),
            ('num_actions', num_actions,
             isinstance(num_actions, int) and num_actions >= 1),
            ('max_quantile', max_quantile, 0 <= max_quantile < 1),
            ('dirichlet_alpha', dirichlet_alpha, dirichlet_alpha > 0),
            ('clean_lam', clean_lam,
             isinstance(clean_lam, (int, float)) and clean_lam >= 0),
            ('partners', partners, partners in self.PARTNERS),
        ]
        for key, value, ok in checks:
            if not ok:
                raise ValueError(f'RMix: invalid {key}={value!r}')
        self.patch_sizes = tuple(patch_sizes)
        self.quantiles = torch.linspace(0, max_quantile, num_actions)
        self.dirichlet_alpha = float(dirichlet_alpha)
        self.clean_lam = float(clean_lam)
        self.partners = partners

    def __call__(self, inputs, targets, saliency, mean=None, std=None):
        b, _, h, w = inputs.shape
        k = self.patch_sizes[int(torch.randint(len(self.patch_sizes), ()))]
        if k > min(h, w):
            raise ValueError(f'RMix: patch size {k} exceeds the image {h}x{w}')
        pooled = F.avg_pool2d(saliency.unsqueeze(1).float(), k).squeeze(1)
        pooled = pooled / pooled.flatten(1).sum(1).clamp_min(1e-12).view(
            b, 1, 1)
        q = self.quantiles[torch.randint(len(self.quantiles), (b, ))]
        mask = quantile_masks(pooled, q.to(pooled))
        mask = F.interpolate(mask.unsqueeze(1), size=(h, w)).squeeze(1)
        conc = torch.full((2, ), self.dirichlet_alpha)
        w1, w2 = torch.distributions.Dirichlet(conc).sample().tolist()
        if self.partners == 'flip':
            perm = torch.arange(b - 1, -1, -1, device=inputs.device)
        else:
            perm = torch.randperm(b, device=inputs.device)
        perms = torch.stack([torch.arange(b, device=perm.device), perm])
        masks = three_region_masks(mask.to(inputs), perm, w1, w2)
        return (mix_with_masks(inputs, perms, masks),
                mix_targets_by_area(targets, perms, masks))
