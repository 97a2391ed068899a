# FMix (Harris et al., arXiv 2002.12047) as a batch augment; alpha of the
# reference's CIFAR CNN recipes, which the other recipes override.
_base_ = ['./soft_ce_head.py']
fmix = dict(type='FMix', alpha=0.2)
