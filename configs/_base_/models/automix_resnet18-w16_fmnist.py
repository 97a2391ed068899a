# AutoMix for the Fashion-MNIST demo: the CIFAR block at demo scale (EMA
# 0.9 -> 0.99 over 5 epochs).
_base_ = ['./learned_mixer_resnet18-w16_fmnist.py']
model = dict(
    type='AutoMix',
    mix_block=dict(
        type='PixelMixBlock',
        reduction=2,
        use_scale=True,
        upsample_mode='nearest',
        scale_factor='by_image_size',
        mask_layer=2,
        lam_concat=False,
        att_act_cfg=None,
        mask_loss_mode='L1',
        mask_loss_margin=0.1),
    alpha=2.0,
    mask_loss=0.1,
    mask_adjust=0.0,
    lam_margin=0.08,
    teacher_momentum=0.9,
)
custom_hooks = [
    dict(
        type='MomentumScheduleHook',
        momentum=0.9,
        end_momentum=0.99,
        adjust_scope=(0.1, 1.0)),
    dict(type='MixedSampleVisualizationHook', interval=1, num_images=8),
]
