# AutoMix: ConvNeXt-T, CIFAR-100, 200 epochs, 2 GPUs x 50.
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/cifar100_randaugment.py',
    '../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='ConvNeXt',
        arch='tiny',
        stem_patch_size=1,
        drop_path_rate=0.3,
        out_indices=(2, 3),
        gap_before_final_norm=False),
    head=dict(in_channels=768, init_cfg=None, loss=dict(
        _delete_=True, type='LabelSmoothLoss', label_smooth_val=0.1,
        mode='original')),
    mix_head=dict(in_channels=768, init_cfg=None, loss=dict(
        _delete_=True, type='LabelSmoothLoss', label_smooth_val=0.1,
        mode='original')),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.0),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0),
    ],
    mix_block=dict(lam_concat=True, mask_layer=2),
    switch_off=1.0,
    generator_loss='mixup_ce',
    generator_eta=0.5,  # unused with 'mixup_ce'
    head_one_mix=False,
)

custom_hooks = [
    dict(_base_.custom_hooks[0], end_momentum=0.99996,
         adjust_scope=(0.25, 1.0)),
    dict(type='MaskLossScheduleHook', start=None, end=0.0),
]
optim_wrapper = dict(
    optimizer=dict(lr=2e-3),
    paramwise_cfg=dict(custom_keys={
        '.gamma': dict(decay_mult=0.0),
        'mix_block': dict(lr_mult=0.25, eta_min=5e-5),
    }),
    clip_grad=None,
)
auto_scale_lr = dict(base_batch_size=100)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
