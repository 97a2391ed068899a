# Vanilla (no mixing) ResNet-18 w16 on the full Fashion-MNIST
# (run tools/prepare_fashion_mnist.py first).
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/datasets/fashion_mnist.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

default_hooks = dict(logger=dict(interval=100))
