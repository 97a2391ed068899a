# MixUp baseline: ResNeXt-50 32x4d, Stanford-Cars, 200 epochs from ImageNet
# weights, batch 16.
# MMPretrain's own `Mixup` batch augment with alpha 0.2: OpenMixup's fine-grained benchmark
# (docs/en/mixup_benchmarks/Mixup_downstream.md); Stanford-Cars is not in that table,
# the same value is used.
# Labels become soft: soft-target CE, no training accuracy in the head.
_base_ = [
    '../../_base_/models/resnext50.py',
    '../../_base_/datasets/stanford_cars.py',
    '../../_base_/schedules/finegrained_sgd_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        # ImageNet initialisation of the reference's fine-grained runs
        # (torchvision's weights, `pretrained='tools/...-pytorch.pth'` in
        # its logs). Nothing is read while the config is built; the
        # weights are loaded by init_weights() when training starts, from
        # torchvision's URL into the torch hub cache. Offline, download
        # https://download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth and set
        # checkpoint='path/to/resnext50_32x4d-7cdf4587.pth'.
        init_cfg=dict(
            type='Pretrained', checkpoint='torchvision://resnext50_32x4d'),
    ),
    head=dict(
        num_classes=196,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2)]),
)
