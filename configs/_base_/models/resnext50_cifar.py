# ResNeXt-50 (32x4d) with the CIFAR stem, as the reference's OpenMixup
# ResNeXt_CIFAR (registered by adautomix_mm): stages at 32/16/8/4 px.
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
