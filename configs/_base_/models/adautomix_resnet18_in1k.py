# AdAutoMix skeleton, ImageNet family: ResNet-18 (ImageNet variant) with the
# reference's ImageNet hyper-parameters (reference study §1.10, column
# "ImageNet R18/R34/R50"; JinXins/Adversarial-AutoMixup
# configs/classification/imagenet/adautomix/basic/r18_adautomix_bilinear.py):
# N = 2 images per mixed sample (independent lambda and partner for the
# generator's and the classifier's sample), Beta(1, 1), beta (beta_radio) =
# 0.1, lam_margin = 0.03, lambda channel appended to the Mix Block input
# (lam_concat), bilinear upsampling of the stage-3 attention logits
# (14x14 -> 224x224, the reference's x16), EMA momentum 0.999 -> 0.99999
# over [0.1, 1] x T, sign-alternating adversarial game (period 2).
# mixup_radio is unused for N = 2 (kept at the reference default 0.5).
#
# The fine-grained recipes (CUB / Aircraft / Cars) start from this base and
# switch to N = 3, beta 0.3 and ImageNet-pretrained weights.
# lam_margin_mode='first' as the reference (only lambda_1 is checked for
# N >= 3; identical to AdAutoMix's default 'any' for N = 2); the online
# passes in the reference's order (docs/reference_fidelity.md).
model = dict(
    type='AdAutoMix',
    backbone=dict(
        type='ResNet',
        depth=18,
        num_stages=4,
        # stage 3 (256 x 14 x 14 at 224 px) feeds the Mix Block (mix_stage=0)
        out_indices=(2, 3),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', use_soft=True),
        topk=(1, 5)),
    mix_head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', use_soft=True)),
    mix_block=dict(
        type='AttentionMixBlock',
        in_channels=None,  # inferred from the backbone's stage-3 output
        reduction=2,
        lam_concat=True,
        use_scale=True,
        upsample_mode='bilinear',
        scale_factor=None,  # upsample to the input size (= x16 at 224 px)
        att_norm_cfg=None,
        att_act_cfg=dict(type='ReLU'),
        init_std=0.01),
    mix_samples=2,
    is_random=False,
    alpha=1.0,
    lam_sampler='beta_normalized',
    lam_margin=0.03,
    lam_margin_mode='first',
    online_pass_order='clean_vmix_amix',
    mixup_radio=0.5,
    beta_radio=0.1,
    cos_sign=1.0,
    mix_stage=0,
    generator_weight=1.0,
    teacher_momentum=0.999,
    teacher_buffers='own',
    predict_network='ema',
)

custom_hooks = [
    dict(
        type='AdversarialOptimizerHook',
        momentum=0.999,
        end_momentum=0.99999,
        adjust_scope=(0.1, 1.0),
        warmup='constant',
        adv_interval=2,
        adv_mode='alternate_sign',
        adv_begin=0.0,
        generator_off=None),
]
