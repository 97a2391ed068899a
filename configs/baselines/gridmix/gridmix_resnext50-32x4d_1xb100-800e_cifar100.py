# GridMix: ResNeXt-50 (32x4d), CIFAR-100, 800 epochs, batch 100.
_base_ = [
    '../../_base_/models/resnext50_cifar.py',
    '../../_base_/models/gridmix.py',
    '../../_base_/datasets/cifar100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e_baselines.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=_base_.soft_ce_head,
    train_cfg=dict(augments=[_base_.gridmix]))
