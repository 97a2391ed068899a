# Vanilla: ResNet-18, ImageNet-1k, 100 epochs, 4 GPUs x 64.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]
