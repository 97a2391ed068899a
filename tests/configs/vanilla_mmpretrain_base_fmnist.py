# A package model base that inherits MMPretrain's own
# (`mmpretrain::_base_/models/resnet18_cifar.py`) on the embedded
# Fashion-MNIST subset: checks that the `mmpretrain::` scope resolves under
# every entry point (width 64 ResNet-18 CIFAR, 1 input channel, 10 classes).
_base_ = [
    '../../configs/_base_/models/resnet18_cifar.py',
    '../../configs/_base_/datasets/fashion_mnist_embedded.py',
    '../../configs/_base_/schedules/fmnist_sgd_demo.py',
    '../../configs/_base_/default_runtime.py',
]

model = dict(backbone=dict(in_channels=1), head=dict(num_classes=10))
