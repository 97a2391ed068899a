# The ConvNeXt-T variant of adamw_cosine_200e.py (the reference's ConvNeXt
# log): lr 2e-3, no weight decay on layer scales, no clipping, base batch 100.
_base_ = ['./adamw_cosine_200e.py']

optim_wrapper = dict(
    optimizer=dict(lr=2e-3),
    paramwise_cfg=dict(custom_keys={'.gamma': dict(decay_mult=0.0)}),
    clip_grad=None,
)
auto_scale_lr = dict(base_batch_size=100)
