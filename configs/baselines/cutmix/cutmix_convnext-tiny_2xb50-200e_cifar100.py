# CutMix baseline: ConvNeXt-T (CIFAR stem), CIFAR-100 at 32 px with RandAugment,
# 200 epochs, AdamW, 2 GPUs x 50 (the recipe of
# ../../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py).
# MMPretrain's own `CutMix` batch augment with alpha 2.0: the reference's CIFAR-100 table
# (JinXins/Adversarial-AutoMixup README: "CutMix (0.2 / 2)", 2 for the
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
    train_cfg=dict(augments=[dict(type='CutMix', alpha=2.0)]),
)
