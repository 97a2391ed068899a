# GridMix: ResNet-50, ImageNet-1k, 100 epochs, 4 GPUs x 64.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/models/gridmix.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=_base_.soft_ce_head,
    train_cfg=dict(augments=[_base_.gridmix]))
