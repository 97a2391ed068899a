"""GridMix (Baek et al., "GridMix: Strong regularization through local
context mapping", Pattern Recognition 110, 2021), in the definition of
OpenMixup's ``openmixup/models/augments/gridmix.py`` (itself after
IlyaDobrynin/GridMixup), whose numbers the reference tables quote."""
import math
import random

import numpy as np
import torch

from mmpretrain.registry import BATCH_AUGMENTS
from ._args import check_batch, float_range, positive_float


def grid_mask(size, lam: float, n_holes: int, hole_aspect_ratio: float,
              cut_area_ratio: float, cut_aspect_ratio: float) -> torch.Tensor:
    r"""Binary ``[H, W]`` mask: 1 on a grid of holes inside a random crop.

    Crop of area ``cut_area_ratio * HW`` and aspect ``cut_aspect_ratio``
    (h / w) at a uniform position; it is tiled by ``n_holes`` patches across
    its width (patch side :math:`p_w = \lceil w_c / n \rceil`, :math:`p_h =
    \lfloor p_w \cdot` ``hole_aspect_ratio`` :math:`\rfloor`); each patch
    holds a hole of sides :math:`\lfloor p \sqrt{1-\lambda} \rfloor` clipped
    to ``[1, p - 1]`` at its top-left corner.
    """
    h, w = size
    cut_area = int(h * w * cut_area_ratio)
    cut_w = int(math.sqrt(cut_area / cut_aspect_ratio))
    # Clipped to the image (OpenMixup lets a tall crop leave it).
    cut_h = min(int(cut_w * cut_aspect_ratio), h)
    cut_w = min(cut_w, w)
    if not 1 <= n_holes <= cut_w // 2:
        raise ValueError(f'n_holes must be in [1, {cut_w // 2}] for a crop '
                         f'{cut_w} pixels wide, got {n_holes}')
    x0 = int((w - cut_w) * np.random.random())
    y0 = int((h - cut_h) * np.random.random())
    patch_w = math.ceil(cut_w / n_holes)
    # (at least 2 rows, so a hole of >= 1 row fits; OpenMixup can get 0)
    patch_h = max(int(patch_w * hole_aspect_ratio), 2)
    ratio = math.sqrt(1.0 - lam)
    hole_w = min(max(int(patch_w * ratio), 1), patch_w - 1)
    hole_h = min(max(int(patch_h * ratio), 1), patch_h - 1)
    # hole pattern along each axis of the crop, then their outer product
    ys = (torch.arange(cut_h) % patch_h) < hole_h
    xs = (torch.arange(cut_w) % patch_w) < hole_w
    mask = torch.zeros(h, w)
    mask[y0:y0 + cut_h, x0:x0 + cut_w] = (ys[:, None] & xs[None, :]).float()
    return mask


@BATCH_AUGMENTS.register_module()
class GridMix:
    r"""GridMix batch augment: a grid of holes filled from the partner.

    :math:`\lambda \sim Beta(\alpha, \alpha)`; per batch, ``n_holes``,
    ``hole_aspect_ratio``, ``cut_area_ratio`` and ``cut_aspect_ratio`` are
    drawn uniformly from their ranges (an int range for ``n_holes``);
    :math:`\tilde x = (1 - M) \odot x + M \odot x_\pi` with
    :func:`grid_mask`; :math:`\lambda \leftarrow 1 - \mathrm{mean}(M)`
    (label weight = area of the image kept);
    :math:`\tilde y = \lambda y + (1-\lambda) y_\pi`.
    Defaults: OpenMixup's CIFAR/Tiny/ImageNet configs (``n_holes=(2, 6)``,
    ``hole_aspect_ratio=1``, ``cut_area_ratio=(0.5, 1)``,
    ``cut_aspect_ratio=(0.5, 2)``).
    """

    def __init__(self, alpha: float, n_holes=(2, 6), hole_aspect_ratio=1.0,
                 cut_area_ratio=(0.5, 1.0), cut_aspect_ratio=(0.5, 2.0)):
        self.alpha = positive_float('alpha', alpha)
        holes = n_holes if isinstance(n_holes, (list, tuple)) else (n_holes,
                                                                    n_holes)
        if len(holes) != 2 or not all(
                isinstance(v, int) and not isinstance(v, bool)
                for v in holes) or not 1 <= holes[0] <= holes[1]:
            raise ValueError('n_holes must be an int >= 1 or an (min, max) '
                             f'int pair, got {n_holes!r}')
        self.n_holes = tuple(holes)
        self.hole_aspect_ratio = float_range('hole_aspect_ratio',
                                             hole_aspect_ratio, 1e-3, 1e3)
        self.cut_area_ratio = float_range('cut_area_ratio', cut_area_ratio,
                                          1e-3, 1.0)
        self.cut_aspect_ratio = float_range('cut_aspect_ratio',
                                            cut_aspect_ratio, 1e-3, 1e3)

    def sample_mask(self, size):
        """``(lam_prior, mask[H, W])``."""
        lam = float(np.random.beta(self.alpha, self.alpha))
        n_holes = random.randint(*self.n_holes)
        return lam, grid_mask(size, lam, n_holes,
                              np.random.uniform(*self.hole_aspect_ratio),
                              np.random.uniform(*self.cut_area_ratio),
                              np.random.uniform(*self.cut_aspect_ratio))

    def __call__(self, batch_inputs: torch.Tensor, batch_score: torch.Tensor):
        check_batch(batch_inputs, batch_score)
        _, mask = self.sample_mask(batch_inputs.shape[-2:])
        mask = mask.to(batch_inputs)
        index = torch.randperm(batch_inputs.size(0))
        mixed = (1 - mask) * batch_inputs + mask * batch_inputs[index]
        lam = 1.0 - float(mask.mean())
        score = batch_score.float()
        return mixed, lam * score + (1 - lam) * score[index]
