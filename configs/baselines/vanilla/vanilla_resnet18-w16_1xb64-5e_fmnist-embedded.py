# Vanilla (no mixing) ResNet-18 w16 on the embedded Fashion-MNIST
# subset (4k train / 1k test).
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/datasets/fashion_mnist_embedded.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

default_hooks = dict(logger=dict(interval=20))
