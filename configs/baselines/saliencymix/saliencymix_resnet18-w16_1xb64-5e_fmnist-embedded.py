# saliencymix baseline, the sibling of ../mixup/mixup_resnet18-w16_1xb64-5e_fmnist-embedded.py
# (mixup_resnet18-w16_1xb64-5e_fmnist-embedded.py header: ResNet-18 w16 on the embedded
# Fashion-MNIST subset (4k train / 1k test))
# SaliencyMix (Uddin et al., ICLR'21): a CutMix box at the static-saliency
# peak of one partner image, the plugin's `SaliencyMix` batch augment.
# alpha 0.2: no published value for Fashion-MNIST: the CIFAR-100 value of
# OpenMixup's benchmark, as the Mixup sibling.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/datasets/fashion_mnist_embedded.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False),
    train_cfg=dict(augments=dict(type='SaliencyMix', alpha=0.2)),
)

default_hooks = dict(logger=dict(interval=20))
