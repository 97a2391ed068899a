"""What the Mix Blocks share: the reference's weight initialisation.

Both official generators (AdAutoMix's ``AdaptiveMask``, AutoMix's
``PixelMixBlock``) draw every conv weight from :math:`N(0, 0.01^2)` with zero
bias. mmcv's ``ConvModule`` re-initialises its conv (Kaiming) in
``init_weights``, so the reference init is applied again after it.
"""
from typing import Optional

import torch.nn as nn
from mmengine.model import BaseModule

UPSAMPLE_MODES = ('nearest', 'bilinear', 'bicubic')


def check_width(name: str, owner: str, in_channels, reduction) -> None:
    """Config errors of a Mix Block's feature width, naming the key."""
    if not isinstance(in_channels, int) or in_channels <= 0:
        raise ValueError(
            f'{name}: in_channels must be a positive int, got '
            f'{in_channels!r} ({owner} infers it from the backbone when '
            'the config leaves it None).')
    if not isinstance(reduction, int) or reduction < 1 \
            or in_channels // reduction < 1:
        raise ValueError(f'{name}: bad reduction={reduction!r} for '
                         f'in_channels={in_channels}')


class MixBlockBase(BaseModule):
    """``init_std``: std of the normal init of every conv / linear weight
    (bias 0); ``None`` keeps the library defaults (set by the subclass as
    ``self.init_std`` before its layers are built)."""

    init_std: Optional[float] = 0.01

    def _reset_convs(self) -> None:
        if self.init_std is None:
            return
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, self.init_std)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def init_weights(self) -> None:
        super().init_weights()
        self._reset_convs()
