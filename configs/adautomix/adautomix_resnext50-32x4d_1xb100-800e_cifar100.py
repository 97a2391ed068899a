# AdAutoMix, ResNeXt-50 32x4d, CIFAR-100, 800 epochs, batch 100 on one GPU.
#
# Follows the reference study §1.10, column "CIFAR-100 RX50": config
# JinXins/Adversarial-AutoMixup configs/classification/cifar100/basic/
# rx50_adautomix.py and log experiments/CIFAR100/adautomix_rx50_800e.log
# (84.22 top-1, EMA head). Same algorithm settings as R18 (N=3, beta 0.3,
# lam_margin 0.03, no lambda channel, bilinear, EMA -> 0.999999); the Mix
# Block reads stage 3 (1024 x 8 x 8) and trains at the backbone LR (0.1).
#
# Deviations:
# * LR floor 0.05 as the config; the log's run used 0.08;
# * epochs 800 as the log (the config file says 400).
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNeXt_CIFAR',  # CIFAR stem, as the reference's ResNeXt_CIFAR
        depth=50,
        groups=32,
        width_per_group=4,
        out_indices=(2, 3),
        style='pytorch'),
    head=dict(in_channels=2048),
    mix_head=dict(in_channels=2048),
)

# Both networks are evaluated every epoch: the EMA teacher (the deployable
# model, and what the reference reports: its one-hot head, median of the last
# 10 epochs) as accuracy_ema/*, the online classifier as accuracy_online/*.
val_evaluator = [
    dict(type='NetworkAccuracy', network='ema', topk=(1, 5)),
    dict(type='NetworkAccuracy', network='online', topk=(1, 5)),
]
test_evaluator = val_evaluator
