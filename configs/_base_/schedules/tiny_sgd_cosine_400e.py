# Tiny-ImageNet recipe of the reference, 400 epochs, batch 100 on one GPU:
# SGD lr 0.2, momentum 0.9, weight decay 1e-4, cosine annealing per epoch to
# 0 (OpenMixup tiny_imagenet mixups configs and AdAutoMix's
# tiny_imagenet r18_adautomix_blinear.py). AdAutoMix gives the Mix Block lr
# 0.1 (lr_mult 0.5 in its recipe), also annealed to 0.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))

param_scheduler = dict(
    type='CosineAnnealingLR',
    by_epoch=True,
    begin=0,
    end=400,
    T_max=400,
    eta_min=0.0,
)

train_cfg = dict(by_epoch=True, max_epochs=400, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=100)
