# ResizeMix (Qin et al., arXiv 2012.11101) as a batch augment; alpha of the
# reference's CIFAR CNN recipes, which the other recipes override.
_base_ = ['./soft_ce_head.py']
resizemix = dict(type='ResizeMix', alpha=1.0)
