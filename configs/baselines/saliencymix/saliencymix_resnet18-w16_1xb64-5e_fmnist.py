# SaliencyMix: ResNet-18 (width 16), Fashion-MNIST, 5 epochs, batch 64.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/models/saliencymix.py',
    '../../_base_/datasets/fashion_mnist.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=_base_.soft_ce_head,
    train_cfg=dict(augments=dict(
        _base_.saliencymix,
        mean=_base_.data_preprocessor.mean,
        std=_base_.data_preprocessor.std)))

default_hooks = dict(logger=dict(interval=100))
