"""Which backbone stage feeds a learned mixer's Mix Block, in words.

Both official codes (AdAutoMix: JinXins/Adversarial-AutoMixup, AutoMix:
Westlake-AI/openmixup) build their backbones with ``out_indices=(2, 3)`` and
give the generator output 0, i.e. the **penultimate stage** (stage 3 of 4,
e.g. 256 x 8 x 8 for ResNet-18 on CIFAR); their DeiT-S recipe uses
``out_indices=(5, 11)``: block 6 of 12. A config that keeps a plain
classifier's ``out_indices=(3,)`` (e.g. MMPretrain's ``resnet18_cifar.py``)
silently feeds the last stage instead, at a quarter of the resolution.

These few lines only read the backbone's declared ``out_indices`` and its
depth (no library reports "which stage is output k"); the classifiers log the
result once and warn when it is not the reference's stage.
"""
from typing import Optional, Tuple

import torch.nn as nn


def _depth(backbone: nn.Module) -> Tuple[Optional[int], str]:
    """``(number of stages or blocks, unit name)`` of a backbone, or
    ``(None, '')`` when it does not say."""
    stages = getattr(backbone, 'num_stages', None)
    if isinstance(stages, int):
        return stages, 'stage'
    if isinstance(getattr(backbone, 'stages', None), nn.ModuleList):
        return len(backbone.stages), 'stage'  # Swin, ConvNeXt
    layers = getattr(backbone, 'num_layers', None)
    if isinstance(layers, int):
        return layers, 'block'  # ViT / DeiT: out_indices index blocks
    return None, ''


def reference_stage(backbone: nn.Module) -> Optional[int]:
    """0-based index of the stage (block) the references feed the Mix Block:
    the penultimate stage of a staged backbone, block ``L/2`` of a ViT with
    ``L`` blocks; ``None`` when the backbone's depth is unknown."""
    depth, unit = _depth(backbone)
    if depth is None or depth < 2:
        return None
    return depth - 2 if unit == 'stage' else depth // 2 - 1


def mix_stage_source(backbone: nn.Module,
                     mix_stage: int) -> Tuple[Optional[int], str]:
    """``(0-based stage index or None, description)`` of backbone output
    ``mix_stage``, read from the backbone's ``out_indices``."""
    name = type(backbone).__name__
    out_indices = getattr(backbone, 'out_indices', None)
    if isinstance(out_indices, int):
        out_indices = (out_indices, )
    depth, unit = _depth(backbone)
    if not isinstance(out_indices, (tuple, list)) or not out_indices:
        return None, (f'output {mix_stage} of {name} (it declares no '
                      '`out_indices`)')
    index = out_indices[mix_stage % len(out_indices)]
    if depth is not None and index < 0:
        index += depth
    where = (f'{unit} {index + 1} of {depth}' if depth is not None else
             f'its index {index}')
    return index, (f'output {mix_stage} of {name}(out_indices='
                   f'{tuple(out_indices)}), i.e. {where}')


def mix_stage_report(owner: str, backbone: nn.Module, mix_stage: int,
                     feat_shape, probe_size) -> Tuple[str, Optional[str]]:
    """``(info line, warning or None)`` for the classifier ``owner`` whose
    Mix Block reads backbone output ``mix_stage`` of shape ``feat_shape``
    (``[C, h, w]`` for the build-time probe input of ``probe_size``)."""
    index, where = mix_stage_source(backbone, mix_stage)
    c, h, w = (int(s) for s in feat_shape)
    info = (f'{owner}: the Mix Block reads {where} (mix_stage={mix_stage}): '
            f'{c} channels ({c} x {h} x {w} for the {probe_size[0]} x '
            f'{probe_size[1]} probe input at build time; the first training '
            'batch logs its real size).')
    ref = reference_stage(backbone)
    if index is None or ref is None or index == ref:
        return info, None
    depth, unit = _depth(backbone)
    which = 'the penultimate stage' if unit == 'stage' else 'the middle block'
    warning = (f'{owner}: the Mix Block reads {where}, but the reference '
               f'feeds it {unit} {ref + 1} '
               f'({which}). To follow the reference, set '
               f'backbone.out_indices=({ref}, {depth - 1}) and mix_stage=0 '
               '(the heads read the last output).')
    return info, warning


def first_batch_line(owner: str, inputs_shape, feats_shape) -> str:
    """Info line with the real Mix Block input size on the first batch."""
    b, _, hh, ww = (int(s) for s in inputs_shape)
    c, h, w = (int(s) for s in feats_shape[-3:])
    return (f'{owner}: first training batch of {b} images {hh} x {ww}: the '
            f'Mix Block gets features {c} x {h} x {w} and upsamples its '
            f'masks to {hh} x {ww}.')


def data_channels(data_preprocessor) -> Optional[int]:
    """Image channels the data preprocessor normalises (the length of its
    ``mean``/``std``); None when it does not normalise."""
    if not getattr(data_preprocessor, '_enable_normalize', False):
        return None
    return int(data_preprocessor.mean.numel())


def backbone_in_channels(backbone: nn.Module) -> Optional[int]:
    """Input channels of the backbone's first convolution (None: none)."""
    conv = next((m for m in backbone.modules()
                 if isinstance(m, (nn.Conv2d, nn.Conv3d))), None)
    return None if conv is None else int(conv.in_channels)


def check_input_channels(owner: str, backbone: nn.Module, channels: int,
                         source: str) -> None:
    """One line naming the backbone and the data's channels when they do
    not match (``source`` says where ``channels`` comes from)."""
    expected = backbone_in_channels(backbone)
    if expected is not None and expected != channels:
        raise ValueError(
            f'{owner}: backbone {type(backbone).__name__} takes {expected}-'
            f'channel images (its first convolution) but {source} '
            f'{channels} channel(s): make them agree (e.g. the backbone\'s '
            f'in_channels={channels}, or a {expected}-channel dataset and '
            'data_preprocessor mean/std).')
