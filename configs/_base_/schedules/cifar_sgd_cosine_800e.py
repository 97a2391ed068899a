# CIFAR-100 CNN recipe of the reference, 800 epochs, batch 100 on one GPU:
# SGD lr 0.1, momentum 0.9, weight decay 1e-4, cosine per epoch to the learned
# mixers' floor 0.05 (JinXins/Adversarial-AutoMixup cifar100
# r18_adautomix_bilinear.py `min_lr=0.05`); baselines: *_baselines.py (to 0).
# `param_scheduler` is one dict so that children can merge another eta_min.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = dict(
    type='CosineAnnealingLR',
    by_epoch=True,
    begin=0,
    end=800,
    T_max=800,
    eta_min=0.05,
)

train_cfg = dict(by_epoch=True, max_epochs=800, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# The LR above is for a total batch of 100 (used with --auto-scale-lr).
auto_scale_lr = dict(base_batch_size=100)
