# AdAutoMix's fine-grained schedule (JinXins/Adversarial-AutoMixup {cub200,
# aircrafts}/adautomix/basic/*.py): the Mix Block at lr 0.1 = 100 x the
# classifier's 0.001, its own cosine to 1e-3.
_base_ = ['./finegrained_sgd_cosine_200e.py']
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'mix_block': dict(lr_mult=100.0, eta_min=1e-3)}))
param_scheduler = dict(type='GroupCosineAnnealingLR')
