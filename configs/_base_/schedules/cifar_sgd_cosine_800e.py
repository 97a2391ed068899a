# CIFAR-100 CNN recipe of the reference, 800 epochs, batch 100 on one GPU:
# SGD lr 0.1, momentum 0.9, weight decay 1e-4, cosine annealing per epoch.
#
# The LR floor is the learned-mixup one: AdAutoMix and AutoMix on CIFAR
# anneal to eta_min=0.05, not to 0 (JinXins/Adversarial-AutoMixup
# cifar100 r18_adautomix_bilinear.py / rx50_adautomix.py `min_lr=0.05`; the
# RX50 800-epoch log even used 0.08). With one optimizer the Mix Block
# shares this schedule and floor (the CIFAR recipes give it no LR of its
# own).
#
# The vanilla / MixUp / CutMix numbers of the same tables come from
# OpenMixup's mixup configs, which anneal to 0 (cifar100/mixups/basic/
# r18_mixups_CE_none.py `min_lr=0.`): the baseline configs override
# `param_scheduler = dict(eta_min=0.0)`; keep that when adding baselines.
#
# `param_scheduler` is a single dict (not a list) so that children can merge
# a different `eta_min` into it; change T_max/end together with max_epochs.
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
