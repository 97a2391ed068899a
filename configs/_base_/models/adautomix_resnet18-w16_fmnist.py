# AdAutoMix for the Fashion-MNIST demo: the CIFAR block at demo scale (EMA
# 0.9 -> 0.99 over 5 epochs; lam_margin_mode 'any', the package's order of
# the online passes).
_base_ = ['./learned_mixer_resnet18-w16_fmnist.py']
model = dict(
    type='AdAutoMix',
    mix_block=dict(
        type='AttentionMixBlock',
        reduction=2,
        lam_concat=False,
        use_scale=True,
        upsample_mode='bilinear'),
    mix_samples=3,
    alpha=1.0,
    lam_margin=0.03,
    lam_margin_mode='any',
    online_pass_order='amix_clean_vmix',
    mixup_radio=0.5,
    beta_radio=0.3,
    teacher_momentum=0.9,
)
custom_hooks = [
    dict(
        type='AdversarialOptimizerHook',
        momentum=0.9,
        end_momentum=0.99,
        adjust_scope=(0.1, 1.0),
        adv_interval=2),
    dict(type='MixedSampleVisualizationHook', interval=1, num_images=8),
]
