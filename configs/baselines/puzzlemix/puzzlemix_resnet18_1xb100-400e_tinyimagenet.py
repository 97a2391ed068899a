# PuzzleMix baseline, the sibling of ../mixup/mixup_resnet18_1xb100-400e_tinyimagenet.py
# (mixup_resnet18_1xb100-400e_tinyimagenet.py header: ResNet-18 (CIFAR variant, as the reference, at 64 px),).
# PuzzleMix (alpha 1.0) with the official Tiny-ImageNet command's settings
# (snu-mllab/PuzzleMix README: the CIFAR energy, --clean_lam 1: train-mode
# saliency pass whose clean loss stays in the update; t_size -1). OpenMixup's
# Tiny config draws grids 2/4/8 only (block_num=4).
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/tiny_imagenet.py',
    '../../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        num_classes=200,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    type='SaliencyMixClassifier',
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 4, 8, 16), neigh_size=4,
               t_size=-1, t_eps=0.8, clean_lam=1.0),
)
