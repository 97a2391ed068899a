# Mixup: ResNet-18, ImageNet-1k, 100 epochs, 4 GPUs x 64.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/models/mixup.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=_base_.soft_ce_head,
    train_cfg=dict(augments=[dict(_base_.mixup, alpha=0.2)]))
