"""Common image corruptions generated on the fly, for any dataset.

The corruptions and their severity constants are those of the CIFAR-10-C
and ImageNet-C benchmarks (Hendrycks & Dietterich, "Benchmarking Neural
Network Robustness to Common Corruptions and Perturbations", ICLR 2019;
official code: hendrycks/robustness, ``ImageNet-C/create_c/make_cifar_c.py``
and ``make_imagenet_c.py``). The constants below are the papers' numbers
(facts, cited); the implementations are this package's own, in torch, so
that any dataset can be corrupted in memory without the pre-rendered -C
files and without scikit-image.

Every function maps pixels in [0, 255] (``[B, C, H, W]`` or ``[C, H, W]``,
uint8 or float) to a tensor of the same shape, dtype and range. The -C sets
are stored as 8-bit images, so uint8 inputs come back rounded to uint8.
Randomness comes only from the given ``torch.Generator``.

Deviations from the official scripts (none changes a constant):
  * results are rounded to the nearest integer (the scripts truncate with
    ``np.uint8``);
  * the Gaussian blur pads by edge replication and truncates its kernel at
    4 sigma (scikit-image's ``gaussian`` default, which the scripts use);
  * brightness adds to the HSV value channel in closed form: with
    :math:`V = \\max_c x_c`, every channel is scaled by
    :math:`\\mathrm{clip}(V + c, 0, 1) / V` (hue and saturation are kept,
    which is what the scripts' rgb2hsv/hsv2rgb round trip does); a black
    pixel becomes grey :math:`\\mathrm{clip}(c, 0, 1)`;
  * channel order is the order the images were loaded in (mmcv loads BGR);
    only JPEG's colour subsampling depends on it.
"""
import io
from typing import Callable, Dict, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

# Severity constants, indexed by severity 1..5 (Hendrycks & Dietterich 2019).
# 'cifar': make_cifar_c.py (32x32 images); 'imagenet': make_imagenet_c.py.
SEVERITY_CONSTANTS: Dict[str, Dict[str, tuple]] = {
    'cifar': {
        'gaussian_noise': (0.04, 0.06, 0.08, 0.09, 0.10),
        'shot_noise': (500, 250, 100, 75, 50),
        'impulse_noise': (0.01, 0.02, 0.03, 0.05, 0.07),
        'defocus_blur': ((0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1, 0.2),
                         (1.5, 0.1)),
        'gaussian_blur': (0.4, 0.6, 0.7, 0.8, 1.0),
        'contrast': (0.75, 0.5, 0.4, 0.3, 0.15),
        'brightness': (0.05, 0.1, 0.15, 0.2, 0.3),
        'jpeg_compression': (80, 65, 58, 50, 40),
        'pixelate': (0.95, 0.9, 0.85, 0.75, 0.65),
    },
    'imagenet': {
        'gaussian_noise': (0.08, 0.12, 0.18, 0.26, 0.38),
        'shot_noise': (60, 25, 12, 5, 3),
        'impulse_noise': (0.03, 0.06, 0.09, 0.17, 0.27),
        'defocus_blur': ((3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)),
        'gaussian_blur': (1, 2, 3, 4, 6),
        'contrast': (0.4, 0.3, 0.2, 0.1, 0.05),
        'brightness': (0.1, 0.2, 0.3, 0.4, 0.5),
        'jpeg_compression': (25, 18, 15, 10, 7),
        'pixelate': (0.6, 0.5, 0.4, 0.3, 0.25),
    },
}
PRESETS = tuple(SEVERITY_CONSTANTS)
SEVERITIES = (1, 2, 3, 4, 5)


# ----------------------------------------------------------------- helpers
def _conv_per_channel(x: torch.Tensor, kernel: torch.Tensor,
                      mode: str) -> torch.Tensor:
    """2-D convolution of every channel of ``x`` [B, C, H, W] with one
    ``kernel`` [k, k] (odd k), padded by ``mode`` to keep the size."""
    c = x.size(1)
    r = kernel.size(-1) // 2
    if mode == 'reflect' and r >= min(x.shape[-2:]):
        mode = 'replicate'  # reflection needs the image larger than the pad
    w = kernel.to(x).expand(c, 1, *kernel.shape).contiguous()
    return F.conv2d(F.pad(x, (r, r, r, r), mode=mode), w, groups=c)


def _gaussian_kernel1d(sigma: float, truncate: float = 4.0) -> torch.Tensor:
    radius = int(truncate * sigma + 0.5)
    t = torch.arange(-radius, radius + 1, dtype=torch.float64)
    k = torch.exp(-0.5 * (t / sigma)**2)
    return k / k.sum()


def _gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    k = _gaussian_kernel1d(sigma)
    return _conv_per_channel(x, torch.outer(k, k), 'replicate')


def _disk_kernel(radius: float, alias_blur: float) -> torch.Tensor:
    """Normalised aliased disk, smoothed by a small Gaussian (the -C
    scripts' ``disk``: support [-8, 8] and a 3x3 smoothing for radius <= 8,
    otherwise [-r, r] and 5x5)."""
    import cv2
    half, ksize = (8, 3) if radius <= 8 else (int(radius), 5)
    t = np.arange(-half, half + 1)
    xx, yy = np.meshgrid(t, t)
    disk = ((xx**2 + yy**2) <= radius**2).astype(np.float32)
    disk /= disk.sum()
    return torch.from_numpy(
        cv2.GaussianBlur(disk, ksize=(ksize, ksize), sigmaX=alias_blur))


def _per_image_pil(x255: torch.Tensor, fn: Callable) -> torch.Tensor:
    """Apply ``fn(PIL.Image) -> PIL.Image`` to every uint8 image."""
    u8 = x255.round().clamp(0, 255).to(torch.uint8).cpu()
    out = []
    for img in u8:
        c = img.size(0)
        if c == 1:
            pil = Image.fromarray(img[0].numpy(), mode='L')
        elif c == 3:
            pil = Image.fromarray(img.permute(1, 2, 0).numpy(), mode='RGB')
        else:
            raise ValueError(f'PIL-based corruptions need 1 or 3 channels, '
                             f'got {c}')
        arr = np.asarray(fn(pil), dtype=np.uint8)
        arr = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)
        out.append(torch.from_numpy(arr.copy()))
    return torch.stack(out).to(device=x255.device, dtype=torch.float32)


# ------------------------------------------------------------- corruptions
# Each takes x in [0, 1] (float, [B, C, H, W]) and the severity constant.
def gaussian_noise(x, c, gen):
    noise = torch.randn(x.shape, generator=gen, device=x.device, dtype=x.dtype)
    return x + c * noise


def shot_noise(x, c, gen):
    return torch.poisson(x * c, generator=gen) / c


def impulse_noise(x, c, gen):
    # salt-and-pepper on a fraction c of the values, salt and pepper equally
    # likely (scikit-image's random_noise(mode='s&p'), as the scripts).
    hit = torch.rand(x.shape, generator=gen, device=x.device) < c
    salt = torch.rand(x.shape, generator=gen, device=x.device) < 0.5
    return torch.where(hit, salt.to(x.dtype), x)


def defocus_blur(x, c, gen):
    radius, alias_blur = c
    return _conv_per_channel(x, _disk_kernel(radius, alias_blur), 'reflect')


def gaussian_blur(x, c, gen):
    return _gaussian_blur(x, float(c))


def contrast(x, c, gen):
    means = x.mean(dim=(-2, -1), keepdim=True)
    return (x - means) * c + means


def brightness(x, c, gen):
    value = x.amax(dim=1, keepdim=True)
    new_value = (value + c).clamp(0, 1)
    scale = new_value / value.clamp_min(1e-12)
    return torch.where(value > 0, x * scale, new_value.expand_as(x))


def jpeg_compression(x, c, gen):
    def encode(img):
        buf = io.BytesIO()
        img.save(buf, 'JPEG', quality=int(c))
        buf.seek(0)
        return Image.open(buf).convert(img.mode)

    return _per_image_pil(x * 255, encode) / 255


def pixelate(x, c, gen):
    h, w = x.shape[-2:]

    def pix(img):
        small = img.resize((int(w * c), int(h * c)), Image.BOX)
        return small.resize((w, h), Image.BOX)

    return _per_image_pil(x * 255, pix) / 255


CORRUPTIONS: Dict[str, Callable] = {
    'gaussian_noise': gaussian_noise,
    'shot_noise': shot_noise,
    'impulse_noise': impulse_noise,
    'defocus_blur': defocus_blur,
    'gaussian_blur': gaussian_blur,
    'contrast': contrast,
    'brightness': brightness,
    'jpeg_compression': jpeg_compression,
    'pixelate': pixelate,
}


def check_corruption(name: str, severity: int, preset: str = 'cifar') -> None:
    if preset not in SEVERITY_CONSTANTS:
        raise ValueError(f'corruption preset must be one of {PRESETS}, got '
                         f'{preset!r}')
    if name not in CORRUPTIONS:
        raise ValueError(f'unknown corruption {name!r}; available: '
                         f'{sorted(CORRUPTIONS)}')
    if severity not in SEVERITIES:
        raise ValueError(f'corruption severity must be in {SEVERITIES}, got '
                         f'{severity!r}')


def corrupt(images: torch.Tensor,
            name: str,
            severity: int,
            preset: str = 'cifar',
            generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Corrupt pixels ``images`` (0-255, ``[B, C, H, W]`` or ``[C, H, W]``)
    with corruption ``name`` at ``severity`` 1-5, using the constants of
    ``preset`` ('cifar': CIFAR-10-C, 'imagenet': ImageNet-C).

    Returns a tensor of the same shape and dtype, in [0, 255] (uint8 input:
    rounded to uint8, as the stored -C sets).
    """
    check_corruption(name, severity, preset)
    if images.dim() not in (3, 4):
        raise ValueError(f'images must be [B, C, H, W] or [C, H, W], got '
                         f'shape {tuple(images.shape)}')
    single = images.dim() == 3
    x = images[None] if single else images
    dtype = x.dtype
    x = x.float() / 255
    c = SEVERITY_CONSTANTS[preset][name][severity - 1]
    if generator is None:
        generator = torch.Generator(device=x.device)
        generator.manual_seed(0)
    out = CORRUPTIONS[name](x, c, generator).clamp(0, 1) * 255
    if dtype == torch.uint8:
        out = out.round().to(torch.uint8)
    else:
        out = out.to(dtype)
    return out[0] if single else out


def corruption_names(preset: str = 'cifar') -> Tuple[str, ...]:
    return tuple(SEVERITY_CONSTANTS[preset])
