"""ResNeXt with the CIFAR stem, which mmpretrain 1.2 lacks.

The reference's CIFAR-100 RX50 runs use OpenMixup's ``ResNeXt_CIFAR``:
ResNeXt-50 (32x4d) whose stem is a 3x3 stride-1 conv without max-pool, so
the stages run at 32/16/8/4 px on 32 px images. Both halves exist in
mmpretrain: ``ResNet_CIFAR`` provides that stem and forward, ``ResNeXt``
the grouped bottlenecks; this class only composes them (MRO: the CIFAR stem
and forward from ResNet_CIFAR, the ResNeXt blocks and arch settings from
ResNeXt).
"""
from mmpretrain.models.backbones import ResNet_CIFAR, ResNeXt
from mmpretrain.registry import MODELS


@MODELS.register_module()
class ResNeXt_CIFAR(ResNet_CIFAR, ResNeXt):
    """ResNeXt (``groups``, ``width_per_group``) with the CIFAR stem.

    Same arguments as mmpretrain's ``ResNeXt``; ``deep_stem`` is not
    supported (as in ``ResNet_CIFAR``).
    """
