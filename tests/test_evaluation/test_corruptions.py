"""On-the-fly corruptions (Hendrycks & Dietterich 2019 constants): shape,
dtype and range kept; damage grows with severity on a fixed image."""
import pytest
import torch

from adautomix_mm.evaluation.corruptions import (CORRUPTIONS,
                                                 SEVERITY_CONSTANTS, corrupt)


def fixed_image(channels: int, size: int) -> torch.Tensor:
    """A deterministic image with smooth shading, edges and both extremes."""
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size),
                            indexing='ij')
    base = 128 + 90 * torch.sin(xx / 3.0) * torch.cos(yy / 4.0)
    base[size // 4:size // 2, size // 4:size // 2] = 255
    base[-size // 4:, :size // 4] = 0
    img = torch.stack([(base + 20 * c) % 256 for c in range(channels)])
    return img.round().clamp(0, 255)


def distance(a, b):
    return (a.float() - b.float()).pow(2).mean().sqrt().item()


def smooth_image(channels: int, size: int) -> torch.Tensor:
    """A band-limited image (no hard edges)."""
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size),
                            indexing='ij')
    base = 128 + 100 * torch.sin(xx / 2.0 + yy / 5.0)
    return base.round().expand(channels, size, size).clone()


CASES = [(1, 28, 'cifar'), (3, 32, 'cifar'), (3, 64, 'imagenet')]


@pytest.mark.parametrize('name', sorted(CORRUPTIONS))
@pytest.mark.parametrize('channels,size,preset', CASES)
@pytest.mark.parametrize('dtype', [torch.uint8, torch.float32])
def test_shape_dtype_range_and_monotone(name, channels, size, preset, dtype):
    # Pixelate (box down- and up-sampling) aliases hard edges differently
    # for each grid size (e.g. 32 -> 30 px moves the fixed image's square
    # edges more than 32 -> 28 px), so its damage grows with severity only
    # on band-limited images; the other corruptions use the hard-edged one.
    make = smooth_image if name == 'pixelate' else fixed_image
    clean = make(channels, size).to(dtype)
    batch = torch.stack([clean, clean.flip(-1)])
    dists = []
    for severity in range(1, 6):
        gen = torch.Generator().manual_seed(0)
        out = corrupt(batch, name, severity, preset, gen)
        assert out.shape == batch.shape and out.dtype == dtype
        assert out.min() >= 0 and out.max() <= 255
        if dtype == torch.uint8:
            assert torch.equal(out, out.float().round().to(torch.uint8))
        dists.append(distance(out, batch))
    assert dists[0] > 0, f'{name}: severity 1 left the image unchanged'
    assert all(a <= b for a, b in zip(dists, dists[1:])), \
        f'{name} ({preset}): distance to the clean image {dists}'


def test_single_image_and_determinism():
    img = fixed_image(3, 32).to(torch.uint8)
    a = corrupt(img, 'gaussian_noise', 3, generator=torch.Generator()
                .manual_seed(1))
    b = corrupt(img, 'gaussian_noise', 3, generator=torch.Generator()
                .manual_seed(1))
    assert a.shape == img.shape and torch.equal(a, b)


def test_constants_follow_the_paper():
    # Spot checks of make_cifar_c.py / make_imagenet_c.py values.
    assert SEVERITY_CONSTANTS['cifar']['gaussian_noise'][4] == 0.10
    assert SEVERITY_CONSTANTS['cifar']['jpeg_compression'] == \
        (80, 65, 58, 50, 40)
    assert SEVERITY_CONSTANTS['imagenet']['shot_noise'] == (60, 25, 12, 5, 3)
    assert set(SEVERITY_CONSTANTS['cifar']) == set(CORRUPTIONS)


def test_contrast_and_brightness_by_hand():
    img = fixed_image(1, 28)
    out = corrupt(img, 'contrast', 1)  # c = 0.75 around the image mean
    mean = (img / 255).mean()
    expect = ((img / 255 - mean) * 0.75 + mean).clamp(0, 1) * 255
    assert torch.allclose(out, expect, atol=1e-3)
    # grey image: brightness adds c = 0.3 to the value channel
    grey = torch.full((3, 4, 4), 102.0)
    out = corrupt(grey, 'brightness', 5)
    assert torch.allclose(out, torch.full_like(grey, 102 + 0.3 * 255))


def test_gaussian_noise_energy():
    grey = torch.full((1, 1, 64, 64), 128.0)
    out = corrupt(grey, 'gaussian_noise', 5, generator=torch.Generator()
                  .manual_seed(0))
    assert (out - grey).std().item() == pytest.approx(0.10 * 255, rel=0.05)


def test_errors():
    img = fixed_image(1, 28)
    with pytest.raises(ValueError, match='severity'):
        corrupt(img, 'contrast', 0)
    with pytest.raises(ValueError, match='unknown corruption'):
        corrupt(img, 'fog', 1)
    with pytest.raises(ValueError, match='preset'):
        corrupt(img, 'contrast', 1, preset='mnist')
    with pytest.raises(ValueError, match='shape'):
        corrupt(img[0, 0], 'contrast', 1)
