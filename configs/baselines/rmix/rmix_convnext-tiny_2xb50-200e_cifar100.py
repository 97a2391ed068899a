# R-Mix baseline, the sibling of ../mixup/mixup_convnext-tiny_2xb50-200e_cifar100.py
# (mixup_convnext-tiny_2xb50-200e_cifar100.py header: ConvNeXt-T (CIFAR stem), CIFAR-100 at
# 32 px with RandAugment, 200 epochs, AdamW, 2 GPUs x 50 (the recipe of
# ../../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py))
# R-Mix (Dirichlet alpha 1.0, quantiles linspace(0, 0.99, 10); train-mode
# saliency, clean loss dropped) as minhlong94/Random-Mixup; pooled patch
# sizes (8, 16) keep its 4x4 / 2x2 grids of 32x32 (kernels 8 / 16) at 32x32.
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/convnext-t_cifar.py',
    '../../_base_/datasets/cifar100_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(cal_acc=False),
    type='SaliencyMixClassifier',
    mixer=dict(type='RMix', patch_sizes=(8, 16), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=1.0),
)
