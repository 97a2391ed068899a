# R-Mix: ResNet-18 (width 16), Fashion-MNIST, 5 epochs, batch 64.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/models/rmix.py',
    '../../_base_/datasets/fashion_mnist.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    _base_.rmix,
    head=_base_.soft_ce_head,
    mixer=dict(_base_.rmix.mixer, patch_sizes=(7, 14)))

default_hooks = dict(logger=dict(interval=100))
