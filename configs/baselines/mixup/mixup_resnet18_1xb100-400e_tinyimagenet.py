# MixUp baseline: ResNet-18 (CIFAR variant, as the reference, at 64 px),
# Tiny-ImageNet, 400 epochs, batch 100 on one GPU.
# MMPretrain's own `Mixup` batch augment with alpha 1.0 (the reference's
# tables: "MixUp (1.0 CNN)"; OpenMixup CIFAR-100 / Tiny-ImageNet benchmarks).
# Labels become soft: soft-target CE, no training accuracy in the head.
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/tiny_imagenet.py',
    '../../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=200,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=1.0)]),
)
