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


def _holes(offset: int, side: int, span: int, period: int,
           hole: int, count: int) -> np.ndarray:
    """1-D indicator of the holes ``offset + [k p, k p + hole)`` (``p`` the
    period, ``k = 0..count``, each end capped at ``span``) on an axis of
    ``side`` pixels, placed with Python slice semantics as the reference's
    ``mask[a:b] = 1`` places them (a negative start counts from the far
    end)."""
    line = np.zeros(side, dtype=bool)
    for k in range(count + 1):
        start = min(period * k, span)
        line[offset + start:offset + min(start + hole, span)] = True
    return line


def grid_mask(size, lam: float, n_holes: int, hole_aspect_ratio: float,
              cut_area_ratio: float, cut_aspect_ratio: float,
              clip_crop: bool = False) -> torch.Tensor:
    r"""Binary ``[H, W]`` mask: 1 on a grid of holes inside a random crop.

    Crop :math:`w_c = \lfloor \sqrt{\lfloor HW a \rfloor / r} \rfloor`,
    :math:`h_c = \lfloor w_c r \rfloor` (``cut_area_ratio`` :math:`a`,
    ``cut_aspect_ratio`` :math:`r`), top-left corner
    :math:`\lfloor (W - w_c) u_x \rfloor, \lfloor (H - h_c) u_y \rfloor`
    (:math:`u \sim U(0, 1)`, rounded toward zero); it is tiled by
    ``n_holes`` patches across its width (patch :math:`p_w = \lceil w_c / n
    \rceil`, :math:`p_h = \lfloor p_w \cdot` ``hole_aspect_ratio``
    :math:`\rfloor`); each patch holds a hole of sides :math:`\lfloor p
    \sqrt{1-\lambda} \rfloor` clipped to ``[1, p - 1]`` at its top-left
    corner.

    Reference (OpenMixup ``gridmix.py`` ``rand_grid``): a crop taller or wider
    than the image gets a negative corner and its holes are written with
    Python slice semantics (a hole wholly above the image lands at its
    bottom, one across the edge is dropped). ``clip_crop=True`` clips the
    crop to the image instead.
    """
    h, w = size
    cut_w = int(math.sqrt(int(h * w * cut_area_ratio) / cut_aspect_ratio))
    cut_h = int(cut_w * cut_aspect_ratio)
    if clip_crop:
        cut_h, cut_w = min(cut_h, h), min(cut_w, w)
    if not 1 <= n_holes <= cut_w // 2:
        raise ValueError(f'n_holes must be in [1, {cut_w // 2}] for a crop '
                         f'{cut_w} pixels wide, got {n_holes}')
    x0 = int((w - cut_w) * np.random.random())
    y0 = int((h - cut_h) * np.random.random())
    patch_w = math.ceil(cut_w / n_holes)
    patch_h = int(patch_w * hole_aspect_ratio)
    if patch_h < 1:
        raise ValueError(f'hole_aspect_ratio {hole_aspect_ratio} gives holes '
                         f'0 pixels tall (patch width {patch_w})')
    ratio = math.sqrt(1.0 - lam)
    hole_w = min(max(int(patch_w * ratio), 1), patch_w - 1)
    hole_h = min(max(int(patch_h * ratio), 1), patch_h - 1)
    cols = _holes(x0, w, cut_w, patch_w, hole_w, n_holes)
    rows = _holes(y0, h, cut_h, patch_h, hole_h, math.ceil(cut_h / patch_h))
    return torch.from_numpy(rows[:, None] & cols[None, :]).float()


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
    ``cut_aspect_ratio=(0.5, 2)``); same masks and :math:`\lambda` as
    OpenMixup's ``gridmix`` under the same numpy and Python seeds.
    ``clip_crop=True``: crops clipped to the image (see :func:`grid_mask`).
    """

    def __init__(self, alpha: float, n_holes=(2, 6), hole_aspect_ratio=1.0,
                 cut_area_ratio=(0.5, 1.0), cut_aspect_ratio=(0.5, 2.0),
                 clip_crop: bool = False):
        self.alpha = positive_float('alpha', alpha)
        if not isinstance(clip_crop, bool):
            raise ValueError(f'clip_crop must be a bool, got {clip_crop!r}')
        self.clip_crop = clip_crop
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
                              np.random.uniform(*self.cut_aspect_ratio),
                              self.clip_crop)

    def __call__(self, batch_inputs: torch.Tensor, batch_score: torch.Tensor):
        check_batch(batch_inputs, batch_score)
        _, mask = self.sample_mask(batch_inputs.shape[-2:])
        mask = mask.to(batch_inputs)
        index = torch.randperm(batch_inputs.size(0))
        mixed = (1 - mask) * batch_inputs + mask * batch_inputs[index]
        lam = 1.0 - float(mask.mean())
        score = batch_score.float()
        return mixed, lam * score + (1 - lam) * score[index]
