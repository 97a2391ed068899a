# MixUp baseline: ConvNeXt-T (CIFAR stem), CIFAR-100 at 32 px with RandAugment,
# 200 epochs, AdamW, 2 GPUs x 50 (the recipe of
# ../../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py).
# MMPretrain's own `Mixup` batch augment with alpha 0.8: the reference's CIFAR-100 table
# (JinXins/Adversarial-AutoMixup README: "MixUp (1.0 CNN / 0.8 ViT)", the
# Swin-T and ConvNeXt-T columns).
# Labels become soft: the base's LabelSmoothLoss (0.1) takes them as
# they are; no training accuracy in the head.
_base_ = [
    '../../_base_/models/convnext-t_cifar.py',
    '../../_base_/datasets/cifar100_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(cal_acc=False),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.8)]),
)
