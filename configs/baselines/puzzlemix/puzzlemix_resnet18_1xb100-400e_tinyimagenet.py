# PuzzleMix: ResNet-18, Tiny-ImageNet, 400 epochs, batch 100.
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/models/puzzlemix.py',
    '../../_base_/datasets/tiny_imagenet.py',
    '../../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    _base_.puzzlemix,
    head=dict(_base_.soft_ce_head, num_classes=200),
    mixer=dict(_base_.puzzlemix.mixer, clean_lam=1.0, t_size=-1))
