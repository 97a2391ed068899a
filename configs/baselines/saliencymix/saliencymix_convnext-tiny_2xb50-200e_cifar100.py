# saliencymix baseline, the sibling of ../mixup/mixup_convnext-tiny_2xb50-200e_cifar100.py
# (mixup_convnext-tiny_2xb50-200e_cifar100.py header: ConvNeXt-T (CIFAR stem), CIFAR-100 at
# 32 px with RandAugment, 200 epochs, AdamW, 2 GPUs x 50 (the recipe of
# ../../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py))
# SaliencyMix (Uddin et al., ICLR'21): a CutMix box at the static-saliency
# peak of one partner image, the plugin's `SaliencyMix` batch augment.
# alpha 0.2: not in the published tables for the ViT-style
# CIFAR-100 recipe (the reference's table gives only MixUp 0.8 and CutMix 2
# for Swin-T/ConvNeXt-T): OpenMixup's CIFAR-100 ResNet value
# (docs/en/mixup_benchmarks/Mixup_cifar.md).
_base_ = [
    '../../_base_/models/convnext-t_cifar.py',
    '../../_base_/datasets/cifar100_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(cal_acc=False),
    train_cfg=dict(augments=[dict(type='SaliencyMix', alpha=0.2)]),
)
