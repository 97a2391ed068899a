# AdAutoMix: ResNet-18, Tiny-ImageNet, 400 epochs, batch 100.
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/datasets/tiny_imagenet.py',
    '../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    head=dict(num_classes=200),
    mix_head=dict(num_classes=200),
    beta_radio=0.4,
)

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'mix_block': dict(lr_mult=0.5)}))

val_evaluator = test_evaluator = _base_.ema_online_accuracy
