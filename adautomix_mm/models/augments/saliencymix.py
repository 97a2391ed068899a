"""SaliencyMix (Uddin et al., "SaliencyMix: A Saliency Guided Data
Augmentation Strategy for Better Regularization", ICLR'21; official code
afm-shahab-uddin/SaliencyMix ``SaliencyMix_CIFAR/saliencymix.py``
``saliency_bbox``), built on MMPretrain's CutMix box."""
import logging
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.logging import print_log
from mmpretrain.models.utils.batch_augments import CutMix
from mmpretrain.registry import BATCH_AUGMENTS

from ..utils.static_saliency import fine_grained_saliency, to_uint8
from ._args import check_batch, positive_float


def _channel_stats(name: str, value) -> Optional[Tuple[float, ...]]:
    if value is None:
        return None
    if not isinstance(value, Sequence) or not value or any(
            isinstance(v, bool) or not isinstance(v, (int, float))
            for v in value):
        raise ValueError(f'{name} must be a list of per-channel numbers '
                         f'(0-255 scale) or None, got {value!r}')
    return tuple(float(v) for v in value)


@BATCH_AUGMENTS.register_module()
class SaliencyMix(CutMix):
    r"""SaliencyMix batch augment: MMPretrain's CutMix box, centred on the
    saliency peak of one partner image instead of a uniform point.

    :math:`\lambda \sim Beta(\alpha, \alpha)`, permutation :math:`\pi`; the
    fine-grained static saliency (OpenCV's ``StaticSaliencyFineGrained``,
    :func:`~adautomix_mm.models.utils.static_saliency.fine_grained_saliency`)
    of the single image :math:`x_{\pi(0)}` gives the peak :math:`(c_y, c_x)`
    (first maximum of the 8-bit map in row-major order, as the reference's
    ``np.argmax``); CutMix's box of :math:`\lfloor H\sqrt{1-\lambda}\rfloor
    \times \lfloor W\sqrt{1-\lambda}\rfloor` centred there (clipped) is
    pasted from :math:`x_\pi` into every image;
    :math:`\lambda \leftarrow 1 - \mathrm{area}/(HW)`;
    :math:`\tilde y = \lambda y + (1-\lambda) y_\pi`.

    The saliency is computed on the 8-bit image, as the method describes;
    the official code hands OpenCV the normalised float tensor, whose raw
    bytes OpenCV then reads as 8-bit pixels (see ``docs/baselines.md``).

    Args:
        alpha (float): Beta concentration.
        mean, std (list[float], optional): the data preprocessor's per-channel
            mean and std (0-255 scale), to recover the 8-bit image. Without
            them each image's range is mapped onto [0, 255] (a warning says
            so; same peak for 99% of Fashion-MNIST images, 76% of 32-px
            photographs).
    """

    def __init__(self, alpha: float, mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None):
        super().__init__(alpha=positive_float('alpha', alpha))
        self.mean = _channel_stats('mean', mean)
        self.std = _channel_stats('std', std)
        if (self.mean is None) != (self.std is None) or (
                self.mean is not None and len(self.mean) != len(self.std)):
            raise ValueError('mean and std must be given together, with one '
                             f'value per channel, got mean={mean!r}, '
                             f'std={std!r}')
        if self.mean is None:
            print_log('SaliencyMix: no mean/std given, so the 8-bit image is '
                      "approximated by each image's range; pass the data "
                      "preprocessor's mean and std for the exact pixels",
                      logger='current', level=logging.WARNING)
        self._peak = None

    def saliency_peak(self, image: torch.Tensor) -> Tuple[int, int]:
        """``(row, col)`` of the first maximum of the 8-bit saliency map of
        ``image [C, H, W]``."""
        if self.mean is not None and len(self.mean) != image.size(0):
            raise ValueError(f'mean/std have {len(self.mean)} values, the '
                             f'images {image.size(0)} channels')
        sal = fine_grained_saliency(to_uint8(image, self.mean, self.std))
        row, col = np.unravel_index(np.argmax(sal), sal.shape)
        return int(row), int(col)

    def rand_bbox(self, img_shape, lam, margin=0., count=None):
        """CutMix's box, its centre the saliency peak set by :meth:`mix`."""
        (cy, cx), (img_h, img_w) = self._peak, img_shape
        ratio = np.sqrt(1 - lam)
        cut_h, cut_w = int(img_h * ratio), int(img_w * ratio)
        return (np.clip(cy - cut_h // 2, 0, img_h),
                np.clip(cy + cut_h // 2, 0, img_h),
                np.clip(cx - cut_w // 2, 0, img_w),
                np.clip(cx + cut_w // 2, 0, img_w))

    def mix(self, batch_inputs: torch.Tensor, batch_scores: torch.Tensor):
        check_batch(batch_inputs, batch_scores)
        lam = np.random.beta(self.alpha, self.alpha)
        index = torch.randperm(batch_inputs.size(0))
        self._peak = self.saliency_peak(batch_inputs[index[0]])
        (y1, y2, x1, x2), lam = self.cutmix_bbox_and_lam(
            batch_inputs.shape[-2:], lam)
        batch_inputs[:, :, y1:y2, x1:x2] = batch_inputs[index, :, y1:y2,
                                                        x1:x2]
        return batch_inputs, lam * batch_scores + (1 - lam) * batch_scores[
            index, :]
