# AdAutoMix: ResNet-18, CIFAR-100, 800 epochs, batch 100.
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

val_evaluator = test_evaluator = _base_.ema_online_accuracy
