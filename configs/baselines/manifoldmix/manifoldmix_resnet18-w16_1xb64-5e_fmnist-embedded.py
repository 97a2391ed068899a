# ManifoldMix: ResNet-18 (width 16), embedded Fashion-MNIST subset, 5 epochs,
# batch 64.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/models/manifoldmix.py',
    '../../_base_/datasets/fashion_mnist_embedded.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(_base_.manifoldmix, head=_base_.soft_ce_head)

default_hooks = dict(logger=dict(interval=20))
