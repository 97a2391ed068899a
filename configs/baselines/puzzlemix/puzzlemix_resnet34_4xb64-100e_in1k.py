# PuzzleMix baseline, the sibling of ../mixup/mixup_resnet34_4xb64-100e_in1k.py
# (mixup_resnet34_4xb64-100e_in1k.py header: ResNet-34, ImageNet-1k, 100 epochs, 4 GPUs x 64 images).
# PuzzleMix (alpha 1.0, the published CIFAR/Tiny value; no 224-pixel ResNet
# alpha is published in the reference tables) at 224x224: the CIFAR energy
# and grids, neigh_size 7 (divides every block side 112/56/28/14) and
# transport at the graph-cut grid (t_size -1).
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/resnet34.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    type='SaliencyMixClassifier',
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 4, 8, 16), neigh_size=7,
               t_size=-1, t_eps=0.8, clean_lam=0.0),
)
