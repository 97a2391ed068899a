# Vanilla (no mixing) baseline: ResNeXt-50 32x4d with the CIFAR stem (ResNeXt_CIFAR), CIFAR-100,
# 800 epochs, batch 100 on one GPU.
_base_ = [
    '../../_base_/models/resnext50_cifar.py',
    '../../_base_/datasets/cifar100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# The vanilla/mixup baselines of the reference tables anneal the LR to 0
# (OpenMixup cifar100/mixups/basic/r18_mixups_CE_none.py `min_lr=0.`),
# not to the learned-mixup floor of 0.05 of the shared schedule.
param_scheduler = dict(eta_min=0.0)
