# ResNet-18 (CIFAR stem: 3x3 conv, no max-pool) for 28x28 grayscale input,
# at width 16 instead of 64 (stages 16-32-64-128 channels): about 16x fewer
# FLOPs, which keeps CPU demo runs to minutes. Head input = 16 * 8 = 128.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        in_channels=1,
        stem_channels=16,
        base_channels=16,
        out_indices=(3, ),
    ),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)
