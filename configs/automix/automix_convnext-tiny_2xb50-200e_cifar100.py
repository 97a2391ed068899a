# AutoMix (ECCV 2022), sibling of ../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py.
#
# CIFAR-100 ConvNeXt-T at 32 px: 83.30 top-1 at 200 epochs (reference study
# §3.1). head_one_mix off, as the reference
# (see the Swin recipe).
#
# AutoMix model block: the reference's ViT family on CIFAR-100 (OpenMixup con
# figs/classification/cifar100/automix/vits/{swin_t_l3,convnext_t_l2}_a2_near
# _*_ep200.py):
# alpha 2, PixelMixBlock from stage 3 with nearest upsampling (scale as the
# reference: x2^L for images <= 64 px, x2^(L+2) above), no activation on q/k,
# L1 mask loss (margin 0.1, weight 0.1, annealed to 0), lam_margin 0.08,
# mask_adjust 0, lambda channel on,
# switch_off 1.0 (as the reference: its annealing factor stays 1, so the
# generator always trains).
# EMA momentum 0.999 -> 0.99996 over [0.25, 1.0] x T (the reference's
# CosineScheduleHook), driven by MomentumScheduleHook (no adversarial phase).
#
# Everything else (data, schedule, optimizer, evaluation of both networks) is
# the AdAutoMix sibling's, inherited: the two recipes differ only in the
# model's method block and the schedule hooks (tests/test_automix_configs.py
# pins that).
# Port choice, named: mask_adjust_ratio='classifier' (unused at
# mask_adjust=0; the reference code rescales to the generator's ratio).
_base_ = ['../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py']

model = dict(
    _delete_=True,
    type='AutoMix',
    # network: the AdAutoMix sibling's, unchanged
    backbone={{_base_.model.backbone}},
    neck={{_base_.model.neck}},
    head={{_base_.model.head}},
    mix_head={{_base_.model.mix_head}},
    init_cfg={{_base_.model.init_cfg}},
    mix_block=dict(
        type='PixelMixBlock',
        in_channels=None,  # inferred from the backbone's mix-stage output
        reduction=2,
        use_scale=True,
        upsample_mode='nearest',
        scale_factor='by_image_size',
        mask_layer=2,
        lam_concat=True,
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
    mask_adjust_ratio='classifier',
    lam_margin=0.08,
    switch_off=1.0,
    switch_off_annealing='none',
    generator_weight=1.0,
    generator_loss='mixup_ce',
    generator_eta=0.5,  # unused with 'mixup_ce'
    head_one_mix=False,  # the reference's default in its ViT configs too
    mix_stage=0,
    teacher_momentum=0.999,
    teacher_buffers='own',
    predict_network='ema',
)

custom_hooks = [
    dict(
        type='MomentumScheduleHook',
        momentum=0.999,
        end_momentum=0.99996,
        adjust_scope=(0.25, 1.0),
        warmup='constant',
        generator_off=None),
    # mask_loss 0.1 -> 0, cosine per iteration (the reference's
    # CustomCosineAnnealingHook(attr_name='mask_loss', by_epoch=False))
    dict(type='MaskLossScheduleHook', start=None, end=0.0),
]
