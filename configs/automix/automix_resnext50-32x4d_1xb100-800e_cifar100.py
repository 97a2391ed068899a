# AutoMix: ResNeXt-50 (32x4d), CIFAR-100, 800 epochs, batch 100.
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNeXt_CIFAR',
        depth=50,
        groups=32,
        width_per_group=4,
        out_indices=(2, 3),
        style='pytorch'),
    head=dict(in_channels=2048),
    mix_head=dict(in_channels=2048),
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
