# The demo with the setting of docs/adautomix_generator_investigation.md whose
# masks keep a spatial layout after 5 epochs (library-default q/k/v init, Mix
# Block lr x10); an option variant, not a recipe (see that write-up).
_base_ = ['../adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py']

model = dict(mix_block=dict(init_std=None))
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'mix_block': dict(lr_mult=10.0)}))
