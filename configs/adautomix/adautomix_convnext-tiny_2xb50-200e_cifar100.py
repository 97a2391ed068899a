# AdAutoMix, ConvNeXt-T (CIFAR stem), CIFAR-100 at 32 px, 200 epochs,
# 2 GPUs x 50.
#
# Follows the reference study §1.10, column "CIFAR-100 ConvNeXt-T (32)",
# i.e. the log JinXins/Adversarial-AutoMixup experiments/CIFAR100/
# adautomix_convnext_200e.log (83.54 top-1, best epoch, EMA head; no config
# file is released). N=3, alpha 1, r 0.5, lam_margin 0.03, lambda channel
# on, nearest x4 from stage 3 (384 x 8 x 8), EMA 0.999 -> 0.99996 over
# [0.25, 1] x T; label smoothing 0.1 in both heads, drop path 0.3,
# truncated-normal init; AdamW lr 2e-3 (Mix Block 5e-4), wd 0.05 (none on
# norms, biases and layer scales), 20-epoch warm-up, cosine to 1e-4, no
# gradient clipping. Data: RandomCrop 32 (pad 4, reflect) + flip +
# RandAugment (2 ops, magnitude 7, std 0.5); no test transform.
#
# Not confirmed: beta_radio (the log's older class does not print it): the
# released AdAutoMix default 0.3 is used.
#
# Deviations:
# * backbone: mmpretrain's ConvNeXt with stem_patch_size=1 (a 1x1 stride-1
#   conv) instead of OpenMixup's ConvNeXt_CIFAR stem (3x3 stride-1 conv):
#   the same 32/16/8/4 px stages and channels, but a smaller stem kernel.
#   With gap_before_final_norm=False (needed: the Mix Block needs a spatial
#   map), the final LayerNorm is applied before global pooling instead of
#   after it, and the stage-3 output the Mix Block reads is layer-normed
#   (OpenMixup's is not);
# * RandAugment without `Identity` (not in mmpretrain), 13 of 14 ops;
# * the log's older "Adaptivemix" class also had switch_off=0.8 (random
#   skipping of the generator update), not used here.
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/datasets/cifar100_randaugment.py',
    '../_base_/schedules/adamw_cosine_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='ConvNeXt',
        arch='tiny',
        stem_patch_size=1,
        drop_path_rate=0.3,
        # stage 3: 384 x 8 x 8 (Mix Block), stage 4: 768 x 4 x 4 (heads)
        out_indices=(2, 3),
        gap_before_final_norm=False),
    head=dict(
        in_channels=768,
        loss=dict(
            _delete_=True,
            type='LabelSmoothLoss',
            label_smooth_val=0.1,
            mode='original'),
        init_cfg=None),
    mix_head=dict(
        in_channels=768,
        loss=dict(
            _delete_=True,
            type='LabelSmoothLoss',
            label_smooth_val=0.1,
            mode='original'),
        init_cfg=None),
    mix_block=dict(lam_concat=True, upsample_mode='nearest'),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.0),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0),
    ],
)

custom_hooks = [
    dict(
        type='AdversarialOptimizerHook',
        momentum=0.999,
        end_momentum=0.99996,
        adjust_scope=(0.25, 1.0),
        warmup='constant',
        adv_interval=2,
        adv_mode='alternate_sign',
        adv_begin=0.0,
        generator_off=None),
]

# lr 2e-3, Mix Block 5e-4 (= 0.25 x) annealed to its own floor of 5e-5 (the
# rest to 1e-4), no weight decay on layer scales, and no gradient clipping
# (the log's optimizer_config has grad_clip=None).
optim_wrapper = dict(
    optimizer=dict(lr=2e-3),
    paramwise_cfg=dict(custom_keys={
        '.gamma': dict(decay_mult=0.0),
        'mix_block': dict(lr_mult=0.25, eta_min=5e-5),
    }),
    clip_grad=None,
)
auto_scale_lr = dict(base_batch_size=100)

# Both networks are evaluated every epoch: the EMA teacher (the deployable
# model) as accuracy_ema/*, the online classifier as accuracy_online/*. The
# reference reports the best epoch of the best head for the ViT runs.
val_evaluator = [
    dict(type='NetworkAccuracy', network='ema', topk=(1, 5)),
    dict(type='NetworkAccuracy', network='online', topk=(1, 5)),
]
test_evaluator = val_evaluator
