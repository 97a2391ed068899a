"""ResNeXt_CIFAR: CIFAR stem (3x3, stride 1, no max-pool) + ResNeXt blocks."""
import pytest
import torch
from mmpretrain.registry import MODELS

import adautomix_mm  # noqa: F401


def test_cifar_stem_grouped_blocks_and_reference_shapes():
    torch.manual_seed(0)
    net = MODELS.build(dict(type='ResNeXt_CIFAR', depth=50, groups=32,
                            width_per_group=4, out_indices=(2, 3)))
    assert net.conv1.kernel_size == (3, 3) and net.conv1.stride == (1, 1)
    assert not hasattr(net, 'maxpool')
    assert net.layer1[0].conv2.groups == 32
    # 32x4d: bottleneck width of stage 1 is groups * width_per_group = 128.
    assert net.layer1[0].conv2.out_channels == 128
    outs = net(torch.zeros(2, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 1024, 8, 8), (2, 2048, 4, 4)]


def test_deep_stem_rejected():
    with pytest.raises(AssertionError, match='deep_stem'):
        MODELS.build(dict(type='ResNeXt_CIFAR', depth=50, deep_stem=True))
