# AdAutoMix, ResNet-50, ImageNet-1k, 100 epochs, 4 GPUs x 64 = 256.
#
# Follows the reference study §1.10, column "ImageNet R18/R34/R50": config
# JinXins/Adversarial-AutoMixup configs/classification/imagenet/adautomix/
# basic/r50_adautomix_bilinear.py (78.04 top-1 reported). N=2, alpha 1,
# beta 0.1, lam_margin 0.03, lambda channel on, bilinear x16 from stage 3
# (1024 x 14 x 14) with BN in the Mix Block's query/key projections, EMA
# 0.999 -> 0.99999 over [0.1, 1] x T; SGD lr 0.1 for the classifier and the
# Mix Block, wd 1e-4, cosine per epoch to 0.
#
# The Mix Block anneals to its own floor of 1e-3 as in the reference (its
# `addtional_scheduler`): GroupCosineAnnealingLR reads the `eta_min` that
# paramwise_cfg puts into the Mix Block's parameter groups.
_base_ = [
    '../_base_/models/adautomix_resnet18_in1k.py',
    '../_base_/datasets/imagenet.py',
    '../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(depth=50),
    head=dict(in_channels=2048),
    mix_head=dict(in_channels=2048),
    # the R50 Mix Block normalises its query/key projections, each of the N
    # image sets with its own BN statistics as the reference ('joint': one
    # BN call on all sets)
    mix_block=dict(
        att_norm_cfg=dict(_delete_=True, type='BN'), att_norm_mode='per_set'),
)

# Both networks are evaluated every epoch: the EMA teacher (the deployable
# model, and what the reference reports: its one-hot head, median of the last
# 10 epochs) as accuracy_ema/*, the online classifier as accuracy_online/*.
val_evaluator = [
    dict(type='NetworkAccuracy', network='ema', topk=(1, 5)),
    dict(type='NetworkAccuracy', network='online', topk=(1, 5)),
]
test_evaluator = val_evaluator

# Mix Block: same LR as the classifier (0.1), its own cosine floor of 1e-3.
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={'mix_block': dict(lr_mult=1.0, eta_min=1e-3)}))
param_scheduler = dict(type='GroupCosineAnnealingLR')
