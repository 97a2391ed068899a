# GridMix (Baek et al., Pattern Recognition 2021) as a batch augment; alpha of
# the reference's CIFAR CNN recipes, which the other recipes override.
_base_ = ['./soft_ce_head.py']
gridmix = dict(type='GridMix', alpha=0.2)
