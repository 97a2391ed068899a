# AdAutoMix: Swin-T, CIFAR-100 at 224 px, 200 epochs, 2 GPUs x 25.
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/models/learned_mixer_swin-t_224.py',
    '../_base_/datasets/cifar100-224_randaugment.py',
    '../_base_/schedules/adamw_cosine_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _base_.swin_t_mixer_net,
    mix_block=dict(lam_concat=True, upsample_mode='nearest'),
    is_random=True,
    lam_margin=0.0,
)

custom_hooks = [
    dict(_base_.custom_hooks[0], end_momentum=0.99996,
         adjust_scope=(0.25, 1.0)),
]
# effective batch 100 = 2 x 25 x 2 accumulated steps (the reference log
# experiments/CIFAR100/adautomix_swin_200e.log: 2 GPUs x 25, update_interval 2)
optim_wrapper = dict(
    accumulative_counts=2,
    paramwise_cfg=dict(custom_keys={'mix_block': dict(lr_mult=2.0)}))

val_evaluator = test_evaluator = _base_.ema_online_accuracy
