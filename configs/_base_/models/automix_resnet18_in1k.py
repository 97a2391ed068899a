# AutoMix, ImageNet family (Westlake-AI/openmixup configs/classification/
# imagenet/automix/basic/r50_l2_a2_near_lam_cat_mb_mlr1e_3_bb_mlr0.py): the
# CIFAR block with the lambda channel, EMA to 0.99999, mask loss annealed to 0.
_base_ = ['./automix_resnet18_cifar.py']
model = dict(
    backbone=dict(type='ResNet'),  # ImageNet stem: stage 3 at 14 x 14
    head=dict(num_classes=1000),
    mix_head=dict(num_classes=1000),
    mix_block=dict(lam_concat=True),
)
custom_hooks = [
    dict(_base_.custom_hooks[0], end_momentum=0.99999),
    # mask_loss 0.1 -> 0, cosine per iteration (CustomCosineAnnealingHook)
    dict(type='MaskLossScheduleHook', start=None, end=0.0),
]
