# CutMix baseline: ResNet-50, ImageNet-1k, 100 epochs, 4 GPUs x 64 images.
# MMPretrain's own `CutMix` batch augment with alpha 1.0 (OpenMixup ImageNet
# benchmark, as the reference notes). Labels become soft: soft-target CE, no
# training accuracy in the head.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='CutMix', alpha=1.0)]),
)
