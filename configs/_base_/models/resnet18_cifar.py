# ResNet-18, CIFAR variant (mmpretrain ResNet_CIFAR: 3x3 stride-1 stem, no
# max-pool; stages at 32/16/8/4 px for a 32 px input), the reference's
# "ResNet_CIFAR-18". Plain single-network classifier for the baselines; the
# mixing baselines switch the loss to soft targets, AdAutoMix recipes use
# adautomix_resnet18_cifar.py instead.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)
