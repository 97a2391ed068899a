# AdAutoMix, ResNet-18 (CIFAR variant, at 64 px), Tiny-ImageNet, 400 epochs,
# batch 100 on one GPU.
#
# Follows the reference study §1.10, column "Tiny-IN R18": config
# JinXins/Adversarial-AutoMixup configs/classification/tiny_imagenet/
# adautomix/basic/r18_adautomix_blinear.py and log experiments/Tiny-ImageNet/
# adautomix_r18_400e.log (69.19 top-1, EMA head). N=3 (the config passes an
# unused co_mix=3; the default is 3), alpha 1, r 0.5, beta 0.4,
# lam_margin 0.03, no lambda channel, bilinear (16x16 stage-3 logits ->
# 64x64), EMA 0.999 -> 0.999999; SGD lr 0.2 with the Mix Block at 0.1
# (lr_mult 0.5), wd 1e-4, both annealed to 0.
#
# Deviations: the log was produced by the older "Adaptivemix" class with a
# mask loss (weight 0.1, L1+Variance) that the released AdAutoMix does not
# have and this port does not implement.
_base_ = [
    '../_base_/models/adautomix_resnet18_cifar.py',
    '../_base_/datasets/tiny_imagenet.py',
    '../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    head=dict(num_classes=200),
    mix_head=dict(num_classes=200),
    beta_radio=0.4,
)

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'mix_block': dict(lr_mult=0.5)}))

# Both networks are evaluated every epoch: the EMA teacher (the deployable
# model, and what the reference reports: its one-hot head, median of the last
# 10 epochs) as accuracy_ema/*, the online classifier as accuracy_online/*.
val_evaluator = [
    dict(type='NetworkAccuracy', network='ema', topk=(1, 5)),
    dict(type='NetworkAccuracy', network='online', topk=(1, 5)),
]
test_evaluator = val_evaluator
