# Two-network skeleton of the learned mixers (AdAutoMix, AutoMix, SAMix), CIFAR
# family: ResNet-18 (CIFAR stem); stage 3 feeds the Mix Block, stage 4 the
# one-hot head and the mixup head (both soft-target CE); EMA teacher deployed.
_base_ = ['../evaluation/ema_online_accuracy.py']
model = dict(
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        num_stages=4,
        out_indices=(2, 3),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', use_soft=True),
        topk=(1, 5)),
    mix_head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', use_soft=True)),
    mix_stage=0,
    generator_weight=1.0,
    teacher_momentum=0.999,
    teacher_buffers='own',
    predict_network='ema',
)
