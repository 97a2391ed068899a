# The learned mixers' two-network skeleton for the Fashion-MNIST demo:
# ResNet-18 at width 16, 1-channel input; stage 3 feeds the Mix Block.
_base_ = ['../evaluation/ema_online_accuracy.py']
model = dict(
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        in_channels=1,
        stem_channels=16,
        base_channels=16,
        out_indices=(2, 3)),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', use_soft=True),
        topk=(1, 5)),
    mix_head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', use_soft=True)),
)
