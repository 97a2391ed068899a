# AdAutoMix, CIFAR family (JinXins/Adversarial-AutoMixup configs/
# classification/cifar100/basic/r18_adautomix_bilinear.py); the reference's
# quirks are kept, the fixes are named options (docs/reference_fidelity.md).
_base_ = ['./learned_mixer_resnet18_cifar.py']
model = dict(
    type='AdAutoMix',
    mix_block=dict(
        type='AttentionMixBlock',
        in_channels=None,  # inferred from the backbone's stage-3 output
        reduction=2,
        lam_concat=False,
        use_scale=True,
        upsample_mode='bilinear',
        scale_factor=None,  # upsample to the input size
        att_norm_cfg=None,
        att_act_cfg=dict(type='ReLU'),
        init_std=0.01),
    mix_samples=3,
    is_random=False,
    alpha=1.0,
    lam_sampler='beta_normalized',
    lam_margin=0.03,
    lam_margin_mode='first',
    online_pass_order='clean_vmix_amix',
    mixup_radio=0.5,
    beta_radio=0.3,
    cos_sign=1.0,
)
custom_hooks = [
    dict(
        type='AdversarialOptimizerHook',
        momentum=0.999,
        end_momentum=0.999999,
        adjust_scope=(0.1, 1.0),
        warmup='constant',
        adv_interval=2,
        adv_mode='alternate_sign',
        adv_begin=0.0,
        generator_off=None),
]
