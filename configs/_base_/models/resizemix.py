# ResizeMix as in its paper (Qin et al., arXiv 2012.11101) and OpenMixup's
# resizemix.py: the whole partner resized by tau and pasted; alpha of the
# reference's CIFAR CNN recipes, which the other recipes override.
_base_ = ['./soft_ce_head.py']
resizemix = dict(type='PaperResizeMix', alpha=1.0)
