# PuzzleMix baseline, the sibling of ../mixup/mixup_convnext-tiny_2xb50-200e_cifar100.py
# (mixup_convnext-tiny_2xb50-200e_cifar100.py header: ConvNeXt-T (CIFAR stem), CIFAR-100 at
# 32 px with RandAugment, 200 epochs, AdamW, 2 GPUs x 50 (the recipe of
# ../../adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py))
# PuzzleMix (alpha 1.0: OpenMixup's CIFAR-100 ResNet value; no ViT-recipe
# alpha in the published tables) with the official CIFAR-100 command's
# settings (snu-mllab/PuzzleMix README: --n_labels 3 --eta 0.2 --beta 1.2
# --gamma 0.5 --neigh_size 4 --transport True --t_size 4 --t_eps 0.8,
# clean_lam 0: eval-mode saliency, clean loss dropped).
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/convnext-t_cifar.py',
    '../../_base_/datasets/cifar100_randaugment.py',
    '../../_base_/schedules/adamw_cosine_200e_convnext.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(cal_acc=False),
    type='SaliencyMixClassifier',
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 4, 8, 16), neigh_size=4,
               t_size=4, t_eps=0.8, clean_lam=0.0),
)
