# The CIFAR schedule of the non-learned baselines: cosine to 0 (OpenMixup
# cifar100/mixups/basic/r18_mixups_CE_none.py `min_lr=0.`), not to the
# learned mixers' floor of 0.05.
_base_ = ['./cifar_sgd_cosine_800e.py']
param_scheduler = dict(eta_min=0.0)
