# AutoMix: ResNet-18, ImageNet-1k, 100 epochs, 4 GPUs x 64.
_base_ = [
    '../_base_/models/automix_resnet18_in1k.py',
    '../_base_/datasets/imagenet.py',
    '../_base_/schedules/imagenet_sgd_cosine_100e_mix_block.py',
    '../_base_/default_runtime.py',
]

model = dict(backbone=dict(depth=18))

val_evaluator = test_evaluator = _base_.ema_online_accuracy
