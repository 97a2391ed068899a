# Mixup (alpha 1.0) ResNet-18 w16 on the embedded Fashion-MNIST
# subset (4k train / 1k test).
# MMPretrain's own Mixup batch augment; mixed labels are soft, so the loss
# takes soft targets and the head computes no training accuracy.
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
    train_cfg=dict(augments=dict(type='Mixup', alpha=1.0)),
)

default_hooks = dict(logger=dict(interval=20))
