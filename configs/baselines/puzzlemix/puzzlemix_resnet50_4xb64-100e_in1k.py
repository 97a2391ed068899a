# PuzzleMix: ResNet-50, ImageNet-1k, 100 epochs, 4 GPUs x 64.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/models/puzzlemix.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    _base_.puzzlemix,
    head=_base_.soft_ce_head,
    mixer=dict(_base_.puzzlemix.mixer, neigh_size=7, t_size=-1))
