# AutoMix: ResNet-34, ImageNet-1k, 100 epochs, 4 GPUs x 64.
_base_ = [
    '../_base_/models/automix_resnet18_in1k.py',
    '../_base_/datasets/imagenet.py',
    '../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(backbone=dict(depth=34))

optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'mix_block': dict(lr_mult=1.0, eta_min=1e-3)}))
param_scheduler = dict(type='GroupCosineAnnealingLR')

val_evaluator = test_evaluator = _base_.ema_online_accuracy
