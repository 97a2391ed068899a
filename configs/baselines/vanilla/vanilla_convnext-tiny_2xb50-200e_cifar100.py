# Vanilla: ConvNeXt-T, CIFAR-100, 200 epochs, 2 GPUs x 50.
_base_ = [
    '../../_base_/models/convnext-t_cifar.py',
    '../../_base_/datasets/cifar100_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../../_base_/default_runtime.py',
]
