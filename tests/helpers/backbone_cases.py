"""mmpretrain backbones shrunk to CPU-test size, for the learned mixers'
backbone tests (tests/test_models/test_classifiers/test_*_backbones.py),
and the raw batches and parameter snapshots those tests train with."""
import copy

import torch
from mmpretrain.structures import DataSample

NUM_CLASSES = 5
BATCH = 4

# name -> (backbone cfg, channels of the Mix Block's input = backbone output
# ``mix_stage`` (0 here), channels of the last output (head input), image
# size). The channel numbers are written out from the architectures, so a
# wrong inference cannot agree with them by construction.
# ResNet/ResNeXt use zero_init_residual=False: with zero-initialised last BN
# scales the first step leaves the residual branches' convs without gradient,
# and the test checks that (nearly) every parameter trains at every step.
BACKBONES = {
    # ImageNet-style ResNet-18; stage 3 (256 ch, stride 16) feeds the block.
    'resnet18': (dict(type='ResNet', depth=18, out_indices=(2, 3),
                      zero_init_residual=False), 256, 512, 64),
    # ResNeXt-50 cut to its first two stages at width 16 with 4 groups of 4:
    # grouped 3x3 convs (the ResNeXt bottleneck) at a fraction of the cost.
    # Stage outputs are base_channels * 4 * 2**i channels.
    'resnext50': (dict(type='ResNeXt', depth=50, num_stages=2,
                       strides=(1, 2), dilations=(1, 1), stem_channels=16,
                       base_channels=16, groups=4, width_per_group=4,
                       out_indices=(0, 1), zero_init_residual=False),
                  64, 128, 32),
    # A 2-stage Swin with 16-dim embeddings, 4x4 windows and 2 blocks per
    # stage (a regular and a shifted-window block).
    'swin': (dict(type='SwinTransformer', img_size=32,
                  arch=dict(embed_dims=16, depths=[2, 2], num_heads=[1, 2]),
                  patch_size=2, window_size=4, drop_path_rate=0.0,
                  out_indices=(0, 1)), 16, 32, 32),
    # ConvNeXt-atto (channels 40-80-160-320); spatial maps need
    # gap_before_final_norm=False. Layer scales start at 1 instead of 1e-6:
    # with 1e-6 the first steps move the blocks' LayerNorm scales (value 1)
    # by less than float32 resolution, and the test checks that (nearly)
    # every parameter trains.
    'convnext_atto': (dict(type='ConvNeXt', arch='atto', out_indices=(2, 3),
                           drop_path_rate=0.0, layer_scale_init_value=1.0,
                           gap_before_final_norm=False), 160, 320, 64),
    # DeiT-tiny (192 dims, patch 16) returning its patch tokens as a map.
    'vit_deit_tiny': (dict(type='VisionTransformer', arch='deit-tiny',
                           img_size=64, out_type='featmap'), 192, 192, 64),
}


def raw_batch(size: int, seed: int) -> dict:
    """Raw uint8 images and labels, as a dataloader hands them over."""
    gen = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 256, (3, size, size), generator=gen,
                            dtype=torch.uint8) for _ in range(BATCH)]
    labels = torch.randint(0, NUM_CLASSES, (BATCH, ), generator=gen)
    samples = [DataSample().set_gt_label(int(k)) for k in labels]
    return dict(inputs=inputs, data_samples=samples)


def params(module: torch.nn.Module, prefix: str = ''):
    return {prefix + n: p.detach().clone()
            for n, p in module.named_parameters()}


def changed(before: dict, after: dict):
    return [n for n in before if not torch.equal(before[n], after[n])]


# What each learned mixer adds to the shared two-network skeleton below.
_MIXER_PARTS = {
    # every step trains on generated masks (no lambda margin)
    'AutoMix': dict(mix_block=dict(type='PixelMixBlock', lam_concat=True),
                    mask_loss=1.0, lam_margin=0.0),
    'AdAutoMix': dict(mix_block=dict(type='AttentionMixBlock'),
                      mix_samples=3, mix_stage=0),
}


def learned_mixer_cfg(method: str, backbone: dict, head_channels: int,
                      **kwargs) -> dict:
    """``method`` ('AutoMix' or 'AdAutoMix') on ``backbone`` (a ``BACKBONES``
    entry), its Mix Block's ``in_channels`` left out (the model must infer
    it from the backbone), raw uint8 input; ``kwargs`` override."""
    def head():
        return dict(type='LinearClsHead', num_classes=NUM_CLASSES,
                    in_channels=head_channels,
                    loss=dict(type='CrossEntropyLoss', use_soft=True))

    cfg = dict(
        type=method,
        backbone=copy.deepcopy(backbone),
        neck=dict(type='GlobalAveragePooling'),
        head=head(),
        mix_head=head(),
        **copy.deepcopy(_MIXER_PARTS[method]),
        teacher_momentum=0.99,
        data_preprocessor=dict(type='ClsDataPreprocessor',
                               num_classes=NUM_CLASSES,
                               mean=[127.5] * 3, std=[64.0] * 3))
    cfg.update(kwargs)
    return cfg


def automix_cfg(backbone: dict, head_channels: int, **kwargs) -> dict:
    return learned_mixer_cfg('AutoMix', backbone, head_channels, **kwargs)


def adautomix_cfg(backbone: dict, head_channels: int, **kwargs) -> dict:
    return learned_mixer_cfg('AdAutoMix', backbone, head_channels, **kwargs)
