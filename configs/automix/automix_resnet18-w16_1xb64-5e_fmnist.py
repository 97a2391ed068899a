# AutoMix, ResNet-18 w16, on the full Fashion-MNIST (60,000 train / 10,000
# test; run tools/prepare_fashion_mnist.py first), 5 epochs: the sibling of
# ../adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist.py and of the full-set baselines.
#
# Model block: the embedded AutoMix demo's (reference CIFAR-100 R18 AutoMix
# values, see automix_resnet18-w16_1xb64-5e_fmnist-embedded.py); the EMA window is the
# sibling's, scaled to this run's 4,690 iterations (0.99 -> 0.999).
_base_ = ['../adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist.py']

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
    teacher_momentum=0.99,
)

custom_hooks = [
    dict(
        type='MomentumScheduleHook',
        momentum=0.99,
        end_momentum=0.999,
        adjust_scope=(0.1, 1.0)),
    dict(type='MixedSampleVisualizationHook', interval=1, num_images=8),
]
