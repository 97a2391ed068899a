# AdAutoMix: ConvNeXt-T, CIFAR-100, 200 epochs, 2 GPUs x 50.
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/models/learned_mixer_convnext-t_cifar.py',
    '../_base_/datasets/cifar100_randaugment.py',
    '../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _base_.convnext_t_mixer_net,
    mix_block=dict(lam_concat=True, upsample_mode='nearest'),
)

custom_hooks = [
    dict(_base_.custom_hooks[0], end_momentum=0.99996,
         adjust_scope=(0.25, 1.0)),
]
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'mix_block': dict(lr_mult=0.25, eta_min=5e-5)}))

val_evaluator = test_evaluator = _base_.ema_online_accuracy
