# AutoMix: ResNeXt-50 (32x4d), CIFAR-100, 800 epochs, batch 100.
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/models/learned_mixer_resnext50_cifar.py',
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

model = dict(_base_.rx50_mixer_net)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
