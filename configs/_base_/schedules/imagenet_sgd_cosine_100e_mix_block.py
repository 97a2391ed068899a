# The learned mixers' ImageNet schedule: the Mix Block at the classifier's lr
# with its own cosine to 1e-3 (the reference's `addtional_scheduler`; the
# group floor is read by GroupCosineAnnealingLR).
_base_ = ['./imagenet_sgd_cosine_100e.py']
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'mix_block': dict(lr_mult=1.0, eta_min=1e-3)}))
param_scheduler = dict(type='GroupCosineAnnealingLR')
