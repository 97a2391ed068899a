# CutMix (alpha 0.2, the reference's CIFAR setting) ResNet-18 w16 on the
# full Fashion-MNIST (run tools/prepare_fashion_mnist.py first).
# MMPretrain's own CutMix batch augment; mixed labels are soft, so the loss
# takes soft targets and the head computes no training accuracy.
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
    train_cfg=dict(augments=dict(type='CutMix', alpha=0.2)),
)

default_hooks = dict(logger=dict(interval=100))
