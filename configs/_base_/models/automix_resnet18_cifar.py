# AutoMix, CIFAR family (Westlake-AI/openmixup configs/classification/cifar100/
# automix/basic/r18_l2_a2_near_L1_01_mlr5e_2.py): Pixel Mix Block from stage 3,
# nearest upsampling, L1 mask loss; EMA schedule without an adversarial phase.
_base_ = ['./learned_mixer_resnet18_cifar.py']
model = dict(
    type='AutoMix',
    mix_block=dict(
        type='PixelMixBlock',
        in_channels=None,  # inferred from the backbone's mix-stage output
        reduction=2,
        use_scale=True,
        upsample_mode='nearest',
        scale_factor='by_image_size',
        mask_layer=2,
        lam_concat=False,
        lam_mul=0.0,
        lam_mul_k=-1,
        lam_residual=False,
        value_neck_cfg=None,
        x_qk_concat=False,
        att_norm_cfg=None,
        att_act_cfg=None,
        mask_loss_mode='L1',
        mask_loss_margin=0.1,
        init_std=0.01),
    alpha=2.0,
    mask_loss=0.1,
    mask_adjust=0.0,
    mask_adjust_ratio='classifier',  # unused at mask_adjust=0
    lam_margin=0.08,
    switch_off=0.0,
    switch_off_annealing='none',
)
custom_hooks = [
    dict(
        type='MomentumScheduleHook',
        momentum=0.999,
        end_momentum=0.999999,
        adjust_scope=(0.1, 1.0),
        warmup='constant',
        generator_off=None),
]
