# R-Mix baseline, the sibling of ../mixup/mixup_swin-tiny_2xb25-200e_cifar100-224px.py
# (mixup_swin-tiny_2xb25-200e_cifar100-224px.py header: Swin-T, CIFAR-100 upsampled to 224 px
# with RandAugment, 200 epochs, AdamW, 2 GPUs x 25 (the recipe of
# ../../adautomix/adautomix_swin-tiny_2xb25-200e_cifar100-224px.py))
# R-Mix (Dirichlet alpha 1.0, quantiles linspace(0, 0.99, 10); train-mode
# saliency, clean loss dropped) as minhlong94/Random-Mixup; pooled patch
# sizes (56, 112) keep its 4x4 / 2x2 grids of 32x32 (kernels 8 / 16) at 224x224.
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/swin-t_224.py',
    '../../_base_/datasets/cifar100-224_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(cal_acc=False),
    type='SaliencyMixClassifier',
    mixer=dict(type='RMix', patch_sizes=(56, 112), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=1.0),
)
