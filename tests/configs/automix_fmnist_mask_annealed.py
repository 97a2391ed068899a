# The embedded AutoMix demo with the ImageNet/ViT recipes' mask-loss
# annealing added, for the resume test (every schedule AutoMix has).
_base_ = ['../../configs/automix/automix_resnet18-w16_1xb64-5e_fmnist-embedded.py']

custom_hooks = [
    dict(
        type='MomentumScheduleHook',
        momentum=0.9,
        end_momentum=0.99,
        adjust_scope=(0.1, 1.0)),
    dict(type='MaskLossScheduleHook', start=None, end=0.0),
]
