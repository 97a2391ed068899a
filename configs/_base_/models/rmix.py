# R-Mix (Luu et al., arXiv 2212.04875) as minhlong94/Random-Mixup's CIFAR code:
# Dirichlet alpha 1.0, quantiles linspace(0, 0.99, 10), clean loss dropped;
# patch sizes keep its 4x4 / 2x2 grids of 32 px (recipes scale them).
_base_ = ['./soft_ce_head.py']
rmix = dict(
    type='SaliencyMixClassifier',
    mixer=dict(type='RMix', patch_sizes=(8, 16), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=1.0))
