# R-Mix (Luu et al., arXiv 2212.04875) as minhlong94/Random-Mixup's CIFAR code:
# Dirichlet alpha 1.0, quantiles linspace(0, 0.99, 10), clean loss dropped;
# patch sizes keep its 4x4 / 2x2 grids of 32 px (recipes scale them).
_base_ = ['./soft_ce_head.py']
rmix = dict(
    type='SaliencyMixClassifier',
    mixer=dict(type='RMix', patch_sizes=(8, 16), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=1.0))
# ImageNet family (imagenet/lib/rl_mix.py, main_fast_ddp.py, configs/comix/
# *.yml): Dir(0.2), partners by flipping the batch, the clean CE kept with
# weight 1; kernels 56 / 112 are its 4x4 / 2x2 grids at 224 px.
rmix_in1k = dict(
    type='SaliencyMixClassifier',
    clean_loss_scale='unscaled',
    mixer=dict(type='RMix', patch_sizes=(56, 112), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=0.2, clean_lam=1.0,
               partners='flip'))
