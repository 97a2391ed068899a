"""FMix (Harris et al., "FMix: Enhancing Mixed Sample Data Augmentation",
arXiv 2002.12047; official code ecs-vlc/FMix ``fmix.py``)."""
import math

import numpy as np
import torch

from mmpretrain.registry import BATCH_AUGMENTS
from ._args import check_batch, positive_float


def low_freq_image(size, decay_power: float) -> np.ndarray:
    r"""Grey image from a random spectrum with a power-law fall-off.

    On the rFFT grid of ``size = (H, W)``, with :math:`f` the frequency
    magnitude, the complex coefficients are :math:`z / \max(f, 1/\max(H,
    W))^{\delta}` with :math:`z` standard complex normal; the inverse real
    FFT is min-max normalised to [0, 1].
    """
    h, w = size
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    freqs = np.sqrt(fx * fx + fy * fy)
    scale = 1.0 / np.maximum(freqs, 1.0 / max(h, w))**decay_power
    coeffs = np.random.randn(*freqs.shape, 2)
    spectrum = scale * (coeffs[..., 0] + 1j * coeffs[..., 1])
    grey = np.fft.irfft2(spectrum, s=(h, w))
    grey = grey - grey.min()
    return grey / grey.max()


def binarise(grey: np.ndarray, lam: float) -> np.ndarray:
    r"""1 on the :math:`\lceil \lambda HW \rceil` or :math:`\lfloor \lambda HW
    \rfloor` (fair coin, as the reference) brightest pixels, 0 elsewhere."""
    flat = grey.reshape(-1)
    count = math.ceil(lam * flat.size) if np.random.rand() > 0.5 \
        else math.floor(lam * flat.size)
    mask = np.zeros(flat.size, dtype=np.float32)
    mask[np.argsort(-flat, kind='stable')[:count]] = 1.0
    return mask.reshape(grey.shape)


@BATCH_AUGMENTS.register_module()
class FMix:
    r"""FMix batch augment: one binary low-frequency mask for the batch.

    :math:`\lambda \sim Beta(\alpha, \alpha)` (or :math:`Beta(\alpha+1,
    \alpha)` with ``reformulate``), mask :math:`M` = the top-:math:`\lambda`
    fraction of a low-frequency grey image (``decay_power`` :math:`\delta`),
    :math:`\tilde x = M \odot x + (1 - M) \odot x_\pi`,
    :math:`\tilde y = \lambda y + (1-\lambda) y_\pi` as the reference
    (``correct_lam=True``: the mask's exact area instead, which differs from
    :math:`\lambda` by less than one pixel's share).

    Args:
        alpha (float): Beta concentration.
        decay_power (float): spectrum fall-off exponent :math:`\delta` (3).
        reformulate (bool): sample :math:`\lambda` from
            :math:`Beta(\alpha+1, \alpha)` (the paper's reformulation).
        correct_lam (bool): label weight = mask area instead of
            :math:`\lambda` (reference: False).
    """

    def __init__(self, alpha: float, decay_power: float = 3.0,
                 reformulate: bool = False, correct_lam: bool = False):
        self.alpha = positive_float('alpha', alpha)
        self.decay_power = positive_float('decay_power', decay_power)
        if not isinstance(reformulate, bool):
            raise ValueError(f'reformulate must be a bool, got {reformulate!r}')
        if not isinstance(correct_lam, bool):
            raise ValueError(f'correct_lam must be a bool, got {correct_lam!r}')
        self.reformulate = reformulate
        self.correct_lam = correct_lam

    def sample_mask(self, size):
        """``(lam, mask[H, W] as numpy)``."""
        a = self.alpha + 1 if self.reformulate else self.alpha
        lam = float(np.random.beta(a, self.alpha))
        return lam, binarise(low_freq_image(size, self.decay_power), lam)

    def __call__(self, batch_inputs: torch.Tensor, batch_score: torch.Tensor):
        check_batch(batch_inputs, batch_score)
        lam, mask = self.sample_mask(batch_inputs.shape[-2:])
        mask = torch.from_numpy(mask).to(batch_inputs)
        if self.correct_lam:
            lam = float(mask.mean())
        index = torch.randperm(batch_inputs.size(0))
        mixed = mask * batch_inputs + (1 - mask) * batch_inputs[index]
        score = batch_score.float()
        return mixed, lam * score + (1 - lam) * score[index]
