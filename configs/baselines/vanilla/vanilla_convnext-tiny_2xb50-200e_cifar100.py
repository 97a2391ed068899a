# Vanilla (no mixing) baseline: ConvNeXt-T (CIFAR stem), CIFAR-100 at 32 px with RandAugment,
# 200 epochs, AdamW, 2 GPUs x 50 (the recipe of
# ../../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py).
_base_ = [
    '../../_base_/models/convnext-t_cifar.py',
    '../../_base_/datasets/cifar100_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../../_base_/default_runtime.py',
]
