# MixUp (Zhang et al., ICLR 2018) as a batch augment; alpha of the
# reference's CIFAR CNN recipes, which the other recipes override.
_base_ = ['./soft_ce_head.py']
mixup = dict(type='Mixup', alpha=1.0)
