# PuzzleMix (Kim et al., ICML 2020) with the official CIFAR-100 command's
# settings (snu-mllab/PuzzleMix README: --n_labels 3 --eta 0.2 --beta 1.2
# --gamma 0.5 --neigh_size 4 --transport True --t_size 4 --t_eps 0.8, clean
# loss dropped); 224-px recipes: neigh_size 7, transport at the cut grid.
_base_ = ['./soft_ce_head.py']
puzzlemix = dict(
    type='SaliencyMixClassifier',
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 4, 8, 16),
               neigh_size=4, t_size=4, t_eps=0.8, clean_lam=0.0))
