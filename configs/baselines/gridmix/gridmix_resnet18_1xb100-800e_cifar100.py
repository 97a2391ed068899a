# gridmix baseline, the sibling of ../mixup/mixup_resnet18_1xb100-800e_cifar100.py
# (mixup_resnet18_1xb100-800e_cifar100.py header: ResNet-18 (CIFAR variant), CIFAR-100, 800
# epochs, batch 100 on one GPU)
# GridMix (Baek et al., Pattern Recognition 2021) in OpenMixup's definition
# and config values, the plugin's `GridMix` batch augment.
# alpha 0.2: OpenMixup's CIFAR-100 benchmark
# (docs/en/mixup_benchmarks/Mixup_cifar.md).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/cifar100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='GridMix', alpha=0.2)]),
)

# The vanilla/mixup baselines of the reference tables anneal the LR to 0
# (OpenMixup cifar100/mixups/basic/r18_mixups_CE_none.py `min_lr=0.`),
# not to the learned-mixup floor of 0.05 of the shared schedule.
param_scheduler = dict(eta_min=0.0)
