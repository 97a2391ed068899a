# R-Mix: ResNet-34, ImageNet-1k, 100 epochs, 4 GPUs x 64.
_base_ = [
    '../../_base_/models/resnet34.py',
    '../../_base_/models/rmix.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(_base_.rmix_in1k, head=_base_.soft_ce_head)
