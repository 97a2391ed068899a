# AdAutoMix, ImageNet family (JinXins/Adversarial-AutoMixup configs/
# classification/imagenet/adautomix/basic/r18_adautomix_bilinear.py): the
# CIFAR block with N = 2, beta 0.1, the lambda channel and EMA to 0.99999.
_base_ = ['./adautomix_resnet18_cifar.py']
model = dict(
    backbone=dict(type='ResNet'),  # ImageNet stem: stage 3 at 14 x 14
    head=dict(num_classes=1000),
    mix_head=dict(num_classes=1000),
    mix_block=dict(lam_concat=True),
    mix_samples=2,
    beta_radio=0.1,
)
custom_hooks = [dict(_base_.custom_hooks[0], end_momentum=0.99999)]
