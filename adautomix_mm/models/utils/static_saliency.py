r"""Fine-grained static saliency (Montabone & Soto, "Human detection using a
mobile platform and novel features derived from a visual saliency
mechanism", Image and Vision Computing 28(3), 2010), computed as OpenCV
contrib's ``cv::saliency::StaticSaliencyFineGrained`` computes it
(``modules/saliency/src/staticSaliencyFineGrained.cpp``), in numpy on an
8-bit image, bit for bit (tested against OpenCV's own maps).

Steps, with :math:`g` the 8-bit grey image:

1. grey: OpenCV's ``BGR2GRAY``, :math:`(3735 B + 19235 G + 9798 R + 2^{14})
   \gg 15` (channel 0 is read as blue);
2. two 3x3 Gaussian blurs, kernel :math:`[1, 2, 1]^2 / 16`, reflect-101
   border, rounded to 8 bits after each;
3. for the six neighbourhoods :math:`n \in \{12, 24, 48, 28, 56, 112\}`:
   the window :math:`[p - n + 1, p + n + 1)` clamped to the image, its
   mean without the centre
   :math:`m = (\Sigma - g_p) / (|W| - 1)` from a float32 integral image,
   :math:`on = \lfloor g_p - m \rfloor^+`, :math:`off = \lfloor m - g_p
   \rfloor^+` (8-bit);
4. :math:`ON = \lfloor 255 \sum_n on / \max \sum_n on \rfloor` (OFF alike);
5. :math:`S = \lfloor 255 (ON + OFF) / \max(\max ON, \max OFF) \rfloor`,
   kept to its low 8 bits as OpenCV's ``uchar`` cast keeps them.
"""
import numpy as np
import torch

NEIGHBOURHOODS = (12, 24, 48, 28, 56, 112)


def grey_bgr(image: np.ndarray) -> np.ndarray:
    """OpenCV's fixed-point ``COLOR_BGR2GRAY`` of ``uint8 [H, W, 3]``."""
    b, g, r = (image[..., i].astype(np.int32) for i in range(3))
    return ((b * 3735 + g * 19235 + r * 9798 + (1 << 14)) >> 15).astype(
        np.uint8)


def blur_3x3(grey: np.ndarray) -> np.ndarray:
    """OpenCV's bit-exact 8-bit ``GaussianBlur(ksize=3, sigma=0)``:
    kernel [1, 2, 1]^2 / 16, reflect-101 border, round half up."""
    p = np.pad(grey.astype(np.int32), 1, mode='reflect')
    rows = p[:-2] + 2 * p[1:-1] + p[2:]
    total = rows[:, :-2] + 2 * rows[:, 1:-1] + rows[:, 2:]
    return ((total + 8) >> 4).astype(np.uint8)


def integral_f32(grey: np.ndarray) -> np.ndarray:
    """``[H + 1, W + 1]`` float32 integral image, summed as OpenCV's
    ``integral(..., CV_32F)`` sums (row running sums, then rows added)."""
    h, w = grey.shape
    out = np.zeros((h + 1, w + 1), np.float32)
    out[1:, 1:] = np.cumsum(
        np.cumsum(grey, axis=1, dtype=np.float32), axis=0, dtype=np.float32)
    return out


def _uchar(x: np.ndarray) -> np.ndarray:
    """C's ``(uchar)`` of a non-negative float: truncate, keep 8 bits."""
    return (np.trunc(x).astype(np.int64) & 0xFF).astype(np.uint8)


def center_surround(integral: np.ndarray, grey: np.ndarray, n: int):
    """``(on, off)`` of one neighbourhood ``n`` (OpenCV's
    ``getIntensityScaled``), uint8 ``[H, W]`` each."""
    h, w = grey.shape
    ys, xs = np.arange(h), np.arange(w)
    y1, y2 = np.clip(ys - n + 1, 0, h), np.clip(ys + n + 1, 0, h)
    x1, x2 = np.clip(xs - n + 1, 0, w), np.clip(xs + n + 1, 0, w)
    total = ((integral[np.ix_(y2, x2)] + integral[np.ix_(y1, x1)])
             - integral[np.ix_(y2, x1)]) - integral[np.ix_(y1, x2)]
    area = ((y2 - y1)[:, None] * (x2 - x1)[None, :] - 1).astype(np.float32)
    g = grey.astype(np.float32)
    with np.errstate(divide='ignore', invalid='ignore'):
        mean = (total - g) / area
    diff = g - mean
    on = np.where(diff > 0, diff, 0)
    off = np.where(-diff > 0, -diff, 0)
    return _uchar(on), _uchar(off)


def _normalise(x: np.ndarray) -> np.ndarray:
    """``uchar(255 * (x / max))`` with OpenCV's float32 division; an all-zero
    ``x`` stays zero."""
    top = x.max()
    if top == 0:
        return np.zeros(x.shape, np.uint8)
    ratio = x.astype(np.float32) / np.float32(top)
    return _uchar(255.0 * ratio.astype(np.float64))


def fine_grained_saliency(image: np.ndarray) -> np.ndarray:
    """The 8-bit saliency map ``[H, W]`` of ``uint8 [H, W]`` or ``uint8
    [H, W, 3]`` (channel order as OpenCV reads it: B, G, R); OpenCV returns
    this map divided by 255 as float32."""
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (
            image.ndim == 3 and image.shape[2] not in (1, 3)):
        raise ValueError('fine_grained_saliency takes a uint8 [H, W] or '
                         f'[H, W, 1|3] image, got {image.dtype} '
                         f'{image.shape}')
    if min(image.shape[:2]) < 3:
        raise ValueError('fine_grained_saliency needs an image of at least '
                         f'3 x 3 pixels, got {image.shape[:2]}')
    if image.ndim == 3:
        image = grey_bgr(image) if image.shape[2] == 3 else image[..., 0]
    grey = blur_3x3(blur_3x3(image))
    integral = integral_f32(grey)
    on_sum = np.zeros(grey.shape, np.int64)
    off_sum = np.zeros(grey.shape, np.int64)
    for n in NEIGHBOURHOODS:
        on, off = center_surround(integral, grey, n)
        on_sum += on
        off_sum += off
    on, off = _normalise(on_sum), _normalise(off_sum)
    top = max(int(on.max()), int(off.max()))
    if top == 0:
        return np.zeros(grey.shape, np.uint8)
    both = (on.astype(np.float32) + off.astype(np.float32)).astype(np.float64)
    return _uchar(255.0 * both / float(np.float32(top)))


def to_uint8(image: torch.Tensor, mean=None, std=None) -> np.ndarray:
    r"""``[C, H, W]`` network input -> ``uint8 [H, W, C]``.

    With the data preprocessor's ``mean``/``std`` (0-255 scale): the 8-bit
    pixels :math:`\mathrm{round}(x \sigma + \mu)` (exact for an 8-bit image
    the preprocessor normalised); without them each image's range is mapped
    linearly onto [0, 255].
    """
    x = image.detach().float().cpu()
    if mean is not None:
        x = x * torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1) \
            + torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    else:
        low, high = x.min(), x.max()
        x = (x - low) * (255.0 / float(high - low)) if high > low else \
            torch.zeros_like(x)
    return x.round().clamp(0, 255).to(torch.uint8).permute(1, 2,
                                                           0).numpy()
