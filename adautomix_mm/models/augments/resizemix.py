"""ResizeMix as its paper defines it (Qin et al., "ResizeMix: Mixing Data
with Preserved Object Information and True Labels", arXiv 2012.11101), in
OpenMixup's implementation (``openmixup/models/augments/resizemix.py``),
whose numbers the reference tables quote. MMPretrain's own ``ResizeMix``
(a CutMix box of side :math:`\\sqrt{1-\\lambda}` for :math:`\\lambda` mapped
into [0.1, 0.8]) stays available under its name."""
import numpy as np
import torch
import torch.nn.functional as F

from mmpretrain.registry import BATCH_AUGMENTS
from ._args import check_batch, float_range, positive_float

INTERPOLATIONS = ('nearest', 'bilinear')


@BATCH_AUGMENTS.register_module()
class PaperResizeMix:
    r"""ResizeMix batch augment: the whole partner, shrunk, pasted at random.

    Scale :math:`\tau`: with ``alpha``, :math:`\tau \sim Beta(\alpha,
    \alpha)`, redrawn from :math:`U(` ``scope`` :math:`)` when outside
    ``scope`` (OpenMixup's ``use_alpha=True``, which its ResizeMix configs
    set; for :math:`\alpha = 1` this is :math:`U(` ``scope`` :math:`)`);
    ``alpha=None``: :math:`\tau \sim U(` ``scope`` :math:`)` (the paper).
    Box: sides :math:`\lfloor \tau H \rfloor \times \lfloor \tau W \rfloor`
    centred at a uniform pixel (column drawn first), clipped to the image;
    the whole partner :math:`x_\pi` is resized to the clipped box
    (``interpolation``) and pasted; :math:`\lambda = 1 - \mathrm{area}/(HW)`
    (:math:`\approx 1 - \tau^2`), :math:`\tilde y = \lambda y +
    (1-\lambda) y_\pi`. Same boxes, pixels and :math:`\lambda` as OpenMixup's
    ``resizemix`` under the same numpy and torch seeds.

    Args:
        alpha (float, optional): Beta concentration, or None for the uniform
            scale. Default 1.0 (OpenMixup's CIFAR/ImageNet configs).
        scope (tuple[float]): range of :math:`\tau`, (0.1, 0.8).
        interpolation (str): ``'nearest'`` (OpenMixup's default) or
            ``'bilinear'`` (its CIFAR-100 ViT/ConvNeXt configs).
    """

    def __init__(self, alpha=1.0, scope=(0.1, 0.8),
                 interpolation: str = 'nearest'):
        self.alpha = None if alpha is None else positive_float('alpha', alpha)
        self.scope = float_range('scope', scope, 0.0, 1.0)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f'interpolation must be one of {INTERPOLATIONS},'
                             f' got {interpolation!r}')
        self.interpolation = interpolation

    def sample_tau(self) -> float:
        if self.alpha is not None:
            tau = np.random.beta(self.alpha, self.alpha)
            if self.scope[0] <= tau <= self.scope[1]:
                return float(tau)
        return float(np.random.uniform(*self.scope))

    def box(self, size, tau: float):
        """``(y1, y2, x1, x2)``: the clipped box of scale ``tau``."""
        h, w = size
        if int(min(h, w) * self.scope[0]) < 2:
            raise ValueError(f'scope {self.scope} gives boxes under 2 pixels '
                             f'on a {h} x {w} image')
        cut_h, cut_w = int(h * tau), int(w * tau)
        cx, cy = np.random.randint(w), np.random.randint(h)
        return (max(cy - cut_h // 2, 0), min(cy + cut_h // 2, h),
                max(cx - cut_w // 2, 0), min(cx + cut_w // 2, w))

    def __call__(self, batch_inputs: torch.Tensor, batch_score: torch.Tensor):
        check_batch(batch_inputs, batch_score)
        index = torch.randperm(batch_inputs.size(0))
        h, w = batch_inputs.shape[-2:]
        y1, y2, x1, x2 = self.box((h, w), self.sample_tau())
        batch_inputs[:, :, y1:y2, x1:x2] = F.interpolate(
            batch_inputs[index], (y2 - y1, x2 - x1), mode=self.interpolation)
        lam = 1.0 - (y2 - y1) * (x2 - x1) / float(h * w)
        score = batch_score.float()
        return batch_inputs, lam * score + (1 - lam) * score[index]
