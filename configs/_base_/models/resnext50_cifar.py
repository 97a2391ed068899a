# ResNeXt-50 (32x4d) for 32 px CIFAR input, as the reference's OpenMixup
# "ResNeXt_CIFAR": 3x3 stride-1 stem, no max-pool, stages at 32/16/8/4 px
# (stage 3: 1024 x 8 x 8, stage 4: 2048 x 4 x 4). `ResNeXt_CIFAR` is
# registered by adautomix_mm (mmpretrain 1.2 has only ResNet_CIFAR).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNeXt_CIFAR',
        depth=50,
        groups=32,
        width_per_group=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)
