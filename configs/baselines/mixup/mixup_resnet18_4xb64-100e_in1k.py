# MixUp baseline: ResNet-18, ImageNet-1k, 100 epochs, 4 GPUs x 64 images.
# MMPretrain's own `Mixup` batch augment with alpha 0.2 (OpenMixup ImageNet
# benchmark, as the reference notes). Labels become soft: soft-target CE, no
# training accuracy in the head.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2)]),
)
