# ResNeXt-50 (32x4d), ImageNet variant (mmpretrain ResNeXt: 7x7 stride-2 stem
# + max-pool, grouped bottleneck stages; torchvision-compatible parameter
# names, so torchvision's resnext50_32x4d weights load with init_cfg).
# Plain single-network classifier for the baselines; 1000 classes
# (fine-grained configs override num_classes).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNeXt',
        depth=50,
        groups=32,
        width_per_group=4,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)
