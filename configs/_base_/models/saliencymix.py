# SaliencyMix (Uddin et al., ICLR 2021) as a batch augment; alpha of the
# reference's CIFAR CNN recipes, which the other recipes override.
_base_ = ['./soft_ce_head.py']
saliencymix = dict(type='SaliencyMix', alpha=0.2)
