# AutoMix (ECCV 2022), sibling of ../adautomix/adautomix_resnet18_1xb16-200e_aircraft.py.
#
# FGVC-Aircraft R18: 81.37 top-1 (reference study §3.3). Model block checked
# against the reference's own config, OpenMixup
# configs/classification/{cub200,aircrafts}/automix/
# {r18,rx50}_l2_a2_near_lam_cat_mb_mlr5e_4_1xb16_ep200.py
# (r18).
# Fine-grained values (the ImageNet family's for the model block): alpha 2,
# mask_loss 0.1 annealed to 0 per iteration, lam_margin 0.08, lambda channel
# on, nearest x16, L1 margin 0.1, EMA 0.999 -> 0.99999 over [0.1, 1] x T,
# switch_off 0, 200 epochs; the Mix Block at lr 0.01 (10 x the classifier's
# 0.001) with its own cosine to 5e-4, set at the end (the AdAutoMix sibling:
# 0.1 to 1e-3); partners without self-pairs (the reference's
# mix_shuffle_no_repeat=True: partners_no_repeat).
#
# AutoMix model block: the reference's ImageNet family (reference study §2.3:
# OpenMixup configs/classification/imagenet/automix/basic/r50_l2_a2_near_lam_
# cat_mb_mlr1e_3_bb_mlr0.py):
# alpha 2, PixelMixBlock from stage 3 with nearest upsampling (scale as the
# reference: x2^L for images <= 64 px, x2^(L+2) above), no activation on q/k,
# L1 mask loss (margin 0.1, weight 0.1, annealed to 0), lam_margin 0.08,
# mask_adjust 0, lambda channel on.
# EMA momentum 0.999 -> 0.99999 over [0.1, 1.0] x T (the reference's
# CosineScheduleHook), driven by MomentumScheduleHook (no adversarial phase).
#
# Everything else (data, schedule, optimizer, evaluation of both networks) is
# the AdAutoMix sibling's, inherited: the two recipes differ only in the
# model's method block and the schedule hooks (tests/test_automix_configs.py
# pins that), except the Mix Block's lr group set at the end.
# Port choice, named: mask_adjust_ratio='classifier' (unused at
# mask_adjust=0; the reference code rescales to the generator's ratio).
_base_ = ['../adautomix/adautomix_resnet18_1xb16-200e_aircraft.py']

model = dict(
    _delete_=True,
    type='AutoMix',
    # network: the AdAutoMix sibling's, unchanged
    backbone={{_base_.model.backbone}},
    neck={{_base_.model.neck}},
    head={{_base_.model.head}},
    mix_head={{_base_.model.mix_head}},
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
    switch_off=0.0,
    switch_off_annealing='none',
    generator_weight=1.0,
    partners_no_repeat=True,  # the reference's mix_shuffle_no_repeat
    mix_stage=0,
    teacher_momentum=0.999,
    teacher_buffers='own',
    predict_network='ema',
)

custom_hooks = [
    dict(
        type='MomentumScheduleHook',
        momentum=0.999,
        end_momentum=0.99999,
        adjust_scope=(0.1, 1.0),
        warmup='constant',
        generator_off=None),
    # mask_loss 0.1 -> 0, cosine per iteration (the reference's
    # CustomCosineAnnealingHook(attr_name='mask_loss', by_epoch=False))
    dict(type='MaskLossScheduleHook', start=None, end=0.0),
]

# Mix Block lr of the reference AutoMix fine-grained configs (see the
# header): 0.01 = 10 x 0.001, cosine to 5e-4 (GroupCosineAnnealingLR, as the
# sibling). Only the Mix Block's group differs from the AdAutoMix sibling.
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={'mix_block': dict(lr_mult=10.0, eta_min=5e-4)}))
