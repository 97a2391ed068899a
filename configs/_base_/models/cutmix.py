# CutMix (Yun et al., ICCV 2019) as a batch augment; alpha of the
# reference's CIFAR CNN recipes, which the other recipes override.
_base_ = ['./soft_ce_head.py']
cutmix = dict(type='CutMix', alpha=0.2)
