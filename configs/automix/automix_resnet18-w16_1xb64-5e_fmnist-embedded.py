# AutoMix on the embedded Fashion-MNIST subset (4,000 train / 1,000 test), a
# few minutes on a CPU: the sibling of `make demo`'s
# ../adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py, for a side-by-side run
#   mim train adautomix_mm automix_resnet18-w16_1xb64-5e_fmnist-embedded.py
#
# Model block: the reference's CIFAR-100 R18 AutoMix values (reference study
# §2.3; OpenMixup configs/classification/cifar100/automix/basic/
# r18_l2_a2_near_L1_01_mlr5e_2.py): alpha 2, PixelMixBlock from stage 3
# (64 x 7 x 7 here) with nearest upsampling x4 (the reference's scale for
# images <= 64 px), no lambda channel, no activation on q/k, L1 mask loss
# (margin 0.1, weight 0.1), lam_margin 0.08, mask_adjust 0.
# Schedule hook: the demo's EMA window (momentum 0.9 -> 0.99, see the
# AdAutoMix sibling for why it is scaled), by MomentumScheduleHook.
#
# Everything else (data, schedule, evaluation of both networks, the mixed
# sample grids) is the sibling's, inherited: the two differ only in the
# model's method block and the schedule hooks.
_base_ = ['../adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py']

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
