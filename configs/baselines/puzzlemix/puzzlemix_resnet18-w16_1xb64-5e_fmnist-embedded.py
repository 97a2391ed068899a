# PuzzleMix: ResNet-18 (width 16), embedded Fashion-MNIST subset, 5 epochs,
# batch 64.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/models/puzzlemix.py',
    '../../_base_/datasets/fashion_mnist_embedded.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    _base_.puzzlemix,
    head=_base_.soft_ce_head,
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 7, 14),
               neigh_size=2, t_size=-1, clean_lam=0.0))

default_hooks = dict(logger=dict(interval=20))
