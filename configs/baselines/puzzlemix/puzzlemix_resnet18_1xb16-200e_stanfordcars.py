# PuzzleMix baseline, the sibling of ../mixup/mixup_resnet18_1xb16-200e_stanfordcars.py
# (mixup_resnet18_1xb16-200e_stanfordcars.py header: ResNet-18, Stanford-Cars, 200 epochs from ImageNet weights,).
# PuzzleMix (alpha 1.0, the published CIFAR/Tiny value; no 224-pixel ResNet
# alpha is published in the reference tables) at 224x224: the CIFAR energy
# and grids, neigh_size 7 (divides every block side 112/56/28/14) and
# transport at the graph-cut grid (t_size -1).
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/stanford_cars.py',
    '../../_base_/schedules/finegrained_sgd_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        # ImageNet initialisation of the reference's fine-grained runs
        # (torchvision's weights, `pretrained='tools/resnet18-pytorch.pth'`
        # in its logs). Nothing is read while the config is built; the
        # weights are loaded by init_weights() when training starts, from
        # torchvision's URL into the torch hub cache. Offline, download
        # https://download.pytorch.org/models/resnet18-f37072fd.pth and set
        # checkpoint='path/to/resnet18-f37072fd.pth'.
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18'),
    ),
    head=dict(
        num_classes=196,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    type='SaliencyMixClassifier',
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 4, 8, 16), neigh_size=7,
               t_size=-1, t_eps=0.8, clean_lam=0.0),
)
