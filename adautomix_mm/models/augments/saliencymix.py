"""SaliencyMix (Uddin et al., "SaliencyMix: A Saliency Guided Data
Augmentation Strategy for Better Regularization", ICLR'21; official code
afm-shahab-uddin/SaliencyMix ``SaliencyMix_CIFAR/saliencymix.py``)."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from mmpretrain.registry import BATCH_AUGMENTS
from ._args import check_batch, positive_float


def _gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of ``[N, 1, H, W]`` (reflect border)."""
    radius = max(1, int(math.ceil(3 * sigma)))
    radius = min(radius, x.size(-1) - 1, x.size(-2) - 1)
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-0.5 * (t / sigma)**2)
    k = k / k.sum()
    x = F.pad(x, (radius, radius, radius, radius), mode='reflect')
    x = F.conv2d(x, k.view(1, 1, 1, -1))
    return F.conv2d(x, k.view(1, 1, -1, 1))


def spectral_residual_saliency(image: torch.Tensor, map_size: int = 64,
                               sigma: float = 8.0) -> torch.Tensor:
    r"""Static spectral-residual saliency (Hou & Zhang, CVPR'07) of one image.

    The grey image ``[C, H, W] -> [H, W]`` (channel mean) is resized to
    ``map_size``\ :sup:`2`; with amplitude :math:`A` and phase :math:`P` of
    its FFT, the residual :math:`R = \log A - h_3 * \log A` (3x3 mean
    filter) gives :math:`S = g_\sigma * |F^{-1}[e^{R + iP}]|^2`, resized back
    to ``H x W``. This is the algorithm of OpenCV-contrib's
    ``StaticSaliencySpectralResidual``, computed with torch here because
    ``cv2.saliency`` exists only in ``opencv-contrib-python``, which cannot be
    installed beside the ``opencv-python`` that mmcv-lite requires (both own
    the ``cv2`` package).
    """
    h, w = image.shape[-2:]
    grey = image.float().mean(0, keepdim=True)[None]  # [1, 1, H, W]
    grey = F.interpolate(grey, size=(map_size, map_size), mode='bilinear',
                         align_corners=False)[0, 0]
    spectrum = torch.fft.fft2(grey)
    log_amp = torch.log(spectrum.abs().clamp_min(1e-12))
    smooth = F.avg_pool2d(
        F.pad(log_amp[None, None], (1, 1, 1, 1), mode='replicate'), 3,
        stride=1)[0, 0]
    residual = torch.exp((log_amp - smooth) + 1j * torch.angle(spectrum))
    sal = torch.fft.ifft2(residual).abs()**2
    sal = _gaussian_blur(sal[None, None], sigma)
    return F.interpolate(sal, size=(h, w), mode='bilinear',
                         align_corners=False)[0, 0]


def box_at(center, size, cut_h: int, cut_w: int):
    """``(y1, y2, x1, x2)`` of a ``cut_h x cut_w`` box centred at ``center``
    and clipped to the image (as CutMix/SaliencyMix)."""
    (cy, cx), (h, w) = center, size
    y1, y2 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, h)
    x1, x2 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, w)
    return y1, y2, x1, x2


@BATCH_AUGMENTS.register_module()
class SaliencyMix:
    r"""SaliencyMix batch augment: a CutMix box centred on the most salient
    pixel of one partner image.

    :math:`\lambda \sim Beta(\alpha, \alpha)`, permutation :math:`\pi`; the
    static saliency of the single image :math:`x_{\pi(0)}` (as the
    reference) gives the peak :math:`(c_y, c_x)`; a box of
    :math:`\lfloor H\sqrt{1-\lambda}\rfloor \times \lfloor
    W\sqrt{1-\lambda}\rfloor` centred there (clipped) is pasted from
    :math:`x_\pi` into every image; :math:`\lambda \leftarrow 1 -
    \mathrm{area}/(HW)`; :math:`\tilde y = \lambda y + (1-\lambda) y_\pi`.

    Saliency: the reference calls OpenCV-contrib's fine-grained static
    saliency; here the spectral-residual static saliency is computed with
    torch (see :func:`spectral_residual_saliency` for why), so the box centre
    can differ from the reference's for the same image.

    Args:
        alpha (float): Beta concentration.
        saliency_map_size (int): side of the square map the spectral residual
            is computed on (64, as OpenCV's implementation).
        saliency_sigma (float): Gaussian smoothing of the map (8, Hou & Zhang).
    """

    def __init__(self, alpha: float, saliency_map_size: int = 64,
                 saliency_sigma: float = 8.0):
        self.alpha = positive_float('alpha', alpha)
        if isinstance(saliency_map_size, bool) or not isinstance(
                saliency_map_size, int) or saliency_map_size < 4:
            raise ValueError('saliency_map_size must be an int >= 4, got '
                             f'{saliency_map_size!r}')
        self.saliency_map_size = saliency_map_size
        self.saliency_sigma = positive_float('saliency_sigma', saliency_sigma)

    def saliency(self, image: torch.Tensor) -> torch.Tensor:
        return spectral_residual_saliency(image, self.saliency_map_size,
                                          self.saliency_sigma)

    def __call__(self, batch_inputs: torch.Tensor, batch_score: torch.Tensor):
        check_batch(batch_inputs, batch_score)
        lam = float(np.random.beta(self.alpha, self.alpha))
        index = torch.randperm(batch_inputs.size(0))
        h, w = batch_inputs.shape[-2:]
        sal = self.saliency(batch_inputs[index[0]])
        peak = int(torch.argmax(sal))
        ratio = math.sqrt(1.0 - lam)
        y1, y2, x1, x2 = box_at((peak // w, peak % w), (h, w), int(h * ratio),
                                int(w * ratio))
        mixed = batch_inputs.clone()
        mixed[..., y1:y2, x1:x2] = batch_inputs[index][..., y1:y2, x1:x2]
        lam = 1.0 - (y2 - y1) * (x2 - x1) / float(h * w)
        score = batch_score.float()
        return mixed, lam * score + (1 - lam) * score[index]
