# AutoMix: ResNet-18 (width 16), Fashion-MNIST, 5 epochs, batch 64.
_base_ = [
    '../_base_/models/automix_resnet18-w16_fmnist.py',
    '../_base_/datasets/fashion_mnist.py',
    '../_base_/schedules/fmnist_sgd_demo.py',
    '../_base_/default_runtime.py',
]

model = dict(teacher_momentum=0.99)

custom_hooks = [
    dict(_base_.custom_hooks[0], momentum=0.99, end_momentum=0.999),
    _base_.custom_hooks[1],
]

val_evaluator = test_evaluator = _base_.ema_online_accuracy

default_hooks = dict(logger=dict(interval=100))
