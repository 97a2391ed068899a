# Vanilla (no mixing) baseline: Swin-T, CIFAR-100 upsampled to 224 px with RandAugment,
# 200 epochs, AdamW, 2 GPUs x 25 (the recipe of
# ../../adautomix/adautomix_swin-tiny_2xb25-200e_cifar100-224px.py).
_base_ = [
    '../../_base_/models/swin-t_224.py',
    '../../_base_/datasets/cifar100-224_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e.py',
    '../../_base_/default_runtime.py',
]
