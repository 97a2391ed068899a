# gridmix baseline, the sibling of ../mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py
# (mixup_resnet18-w16_1xb64-5e_fmnist.py header: ResNet-18 w16 on the full Fashion-MNIST (run
# tools/prepare_fashion_mnist.py first))
# GridMix (Baek et al., Pattern Recognition 2021) in OpenMixup's definition
# and config values, the plugin's `GridMix` batch augment.
# alpha 0.2: no published value for Fashion-MNIST: the CIFAR-100 value of
# OpenMixup's benchmark, as the Mixup sibling.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/datasets/fashion_mnist.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False),
    train_cfg=dict(augments=dict(type='GridMix', alpha=0.2)),
)

default_hooks = dict(logger=dict(interval=100))
