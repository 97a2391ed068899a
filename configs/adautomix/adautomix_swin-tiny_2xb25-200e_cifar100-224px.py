# AdAutoMix: Swin-T, CIFAR-100 at 224 px, 200 epochs, 2 GPUs x 25.
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/datasets/cifar100-224_randaugment.py',
    '../_base_/schedules/adamw_cosine_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        arch='tiny',
        img_size=224,
        drop_path_rate=0.2,
        out_indices=(2, 3),
        out_after_downsample=True),
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
    mix_block=dict(lam_concat=True, upsample_mode='nearest'),
    is_random=True,
    lam_margin=0.0,
)

custom_hooks = [
    dict(_base_.custom_hooks[0], end_momentum=0.99996,
         adjust_scope=(0.25, 1.0)),
]
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'mix_block': dict(lr_mult=2.0)}))

val_evaluator = test_evaluator = _base_.ema_online_accuracy
