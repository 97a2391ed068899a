# PuzzleMix baseline, the sibling of ../mixup/mixup_swin-tiny_2xb25-200e_cifar100-224px.py
# (mixup_swin-tiny_2xb25-200e_cifar100-224px.py header: Swin-T, CIFAR-100 upsampled to 224 px
# with RandAugment, 200 epochs, AdamW, 2 GPUs x 25 (the recipe of
# ../../adautomix/adautomix_swin-tiny_2xb25-200e_cifar100-224px.py))
# PuzzleMix (alpha 1.0, the published CIFAR/Tiny value; no 224-pixel
# alpha is published in the reference tables) at 224x224: the CIFAR energy
# and grids, neigh_size 7 (divides every block side 112/56/28/14) and
# transport at the graph-cut grid (t_size -1).
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/swin-t_224.py',
    '../../_base_/datasets/cifar100-224_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(cal_acc=False),
    type='SaliencyMixClassifier',
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 4, 8, 16), neigh_size=7,
               t_size=-1, t_eps=0.8, clean_lam=0.0),
)
