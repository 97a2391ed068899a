# AutoMix's fine-grained schedule (openmixup {cub200,aircrafts}/automix/
# *_mlr5e_4_1xb16_ep200.py): the Mix Block at lr 0.01 = 10 x the classifier's
# 0.001, its own cosine to 5e-4.
_base_ = ['./finegrained_sgd_cosine_200e.py']
optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'mix_block': dict(lr_mult=10.0, eta_min=5e-4)}))
param_scheduler = dict(type='GroupCosineAnnealingLR')
