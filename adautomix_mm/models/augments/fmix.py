"""FMix (Harris et al., "FMix: Enhancing Mixed Sample Data Augmentation",
arXiv 2002.12047; official code ecs-vlc/FMix ``fmix.py`` ``sample_mask``
and ``implementations/torchbearer_implementation.py``)."""
import math
import random

import numpy as np
import torch

from mmpretrain.registry import BATCH_AUGMENTS
from ._args import check_batch, positive_float

SPECTRA = ('reference', 'full')


def low_freq_image(size, decay_power: float,
                   spectrum: str = 'reference') -> np.ndarray:
    r"""Grey image from a random spectrum with a power-law fall-off.

    On the frequency grid of ``size = (H, W)`` (all :math:`H` row frequencies
    by the :math:`\lfloor W/2 \rfloor + 1` non-negative column frequencies,
    one more for odd :math:`W`, as the reference), with :math:`f` the
    frequency magnitude, the coefficients :math:`c = z / \max(f, 1/\max(H,
    W))^{\delta}`, :math:`z \sim N(0, 1)^{\ldots \times 2}` (one ``randn``
    call of the reference's shape). ``spectrum``:

    * ``'reference'``: the official ``make_low_freq_image``, whose
      ``spectrum[:, 0] + 1j * spectrum[:, 1]`` indexes the *row* axis: rows
      0 and 1 of :math:`c` (each ``[W', 2]``) become the real and imaginary
      parts of a ``[W', 2]`` spectrum, inverted by ``irfftn(., (H, W))``;
    * ``'full'``: the whole grid, :math:`c_{..., 0} + i c_{..., 1}`, inverted
      by ``irfft2(., (H, W))`` (the method as the paper describes it).

    The result is min-max normalised to [0, 1].
    """
    if spectrum not in SPECTRA:
        raise ValueError(f'spectrum must be one of {SPECTRA}, got '
                         f'{spectrum!r}')
    h, w = size
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[:w // 2 + 1 + w % 2]
    freqs = np.sqrt(fx * fx + fy * fy)
    scale = 1.0 / np.maximum(freqs, 1.0 / max(h, w))**decay_power
    coeffs = scale[..., None] * np.random.randn(*freqs.shape, 2)
    if spectrum == 'reference':
        grey = np.fft.irfftn(coeffs[0] + 1j * coeffs[1], (h, w), axes=(0, 1))
    else:
        grey = np.fft.irfft2(coeffs[..., 0] + 1j * coeffs[..., 1], (h, w))
    grey = grey - grey.min()
    return grey / grey.max()


def binarise(grey: np.ndarray, lam: float) -> np.ndarray:
    r"""1 on the :math:`\lceil \lambda HW \rceil` or :math:`\lfloor \lambda HW
    \rfloor` (a fair coin from Python's ``random``, as the reference)
    brightest pixels (reference's order: ``argsort`` reversed), 0
    elsewhere."""
    flat = grey.reshape(-1)
    count = math.ceil(lam * flat.size) if random.random() > 0.5 \
        else math.floor(lam * flat.size)
    mask = np.zeros(flat.size, dtype=np.float32)
    mask[flat.argsort()[::-1][:count]] = 1.0
    return mask.reshape(grey.shape)


@BATCH_AUGMENTS.register_module()
class FMix:
    r"""FMix batch augment: one binary low-frequency mask for the batch.

    :math:`\lambda \sim Beta(\alpha, \alpha)`, mask :math:`M` = the
    top-:math:`\lambda` fraction of a low-frequency grey image
    (:func:`low_freq_image`, ``decay_power`` :math:`\delta`),
    :math:`\tilde x = M \odot x + (1 - M) \odot x_\pi`,
    :math:`\tilde y = \lambda y + (1-\lambda) y_\pi`. Same masks and
    :math:`\lambda` as the official ``sample_mask`` under the same numpy and
    Python seeds.

    Args:
        alpha (float): Beta concentration.
        decay_power (float): spectrum fall-off exponent :math:`\delta` (3).
        spectrum (str): ``'reference'`` (the official code's spectrum) or
            ``'full'`` (the whole 2-D spectrum); see :func:`low_freq_image`.
        reformulate (bool): the official reformulation: :math:`\lambda \sim
            Beta(\alpha+1, \alpha)` and the target stays :math:`y`.
        correct_lam (bool): label weight = mask area instead of
            :math:`\lambda` (reference: False).
    """

    def __init__(self, alpha: float, decay_power: float = 3.0,
                 spectrum: str = 'reference', reformulate: bool = False,
                 correct_lam: bool = False):
        self.alpha = positive_float('alpha', alpha)
        self.decay_power = positive_float('decay_power', decay_power)
        if spectrum not in SPECTRA:
            raise ValueError(f'spectrum must be one of {SPECTRA}, got '
                             f'{spectrum!r}')
        for name, value in (('reformulate', reformulate),
                            ('correct_lam', correct_lam)):
            if not isinstance(value, bool):
                raise ValueError(f'{name} must be a bool, got {value!r}')
        self.spectrum = spectrum
        self.reformulate = reformulate
        self.correct_lam = correct_lam

    def sample_mask(self, size):
        """``(lam, mask[H, W] as numpy)``: the official ``sample_mask``."""
        a = self.alpha + 1 if self.reformulate else self.alpha
        lam = float(np.random.beta(a, self.alpha))
        grey = low_freq_image(size, self.decay_power, self.spectrum)
        return lam, binarise(grey, lam)

    def __call__(self, batch_inputs: torch.Tensor, batch_score: torch.Tensor):
        check_batch(batch_inputs, batch_score)
        lam, mask = self.sample_mask(batch_inputs.shape[-2:])
        mask = torch.from_numpy(mask).to(batch_inputs)
        if self.correct_lam:
            lam = float(mask.mean())
        index = torch.randperm(batch_inputs.size(0))
        mixed = mask * batch_inputs + (1 - mask) * batch_inputs[index]
        score = batch_score.float()
        if self.reformulate:
            return mixed, score
        return mixed, lam * score + (1 - lam) * score[index]
