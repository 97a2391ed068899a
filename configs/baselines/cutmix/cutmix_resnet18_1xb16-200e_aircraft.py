# CutMix baseline: ResNet-18, FGVC-Aircraft, 200 epochs from ImageNet weights,
# batch 16.
# MMPretrain's own `CutMix` batch augment with alpha 1.0 (OpenMixup's
# fine-grained benchmark, docs/en/mixup_benchmarks/Mixup_downstream.md;
# Stanford-Cars is not in that table, the same value is used). Labels become
# soft: soft-target CE, no training accuracy in the head.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/fgvc_aircraft.py',
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
        num_classes=100,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='CutMix', alpha=1.0)]),
)
