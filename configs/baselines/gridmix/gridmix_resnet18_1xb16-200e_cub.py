# gridmix baseline, the sibling of ../mixup/mixup_resnet18_1xb16-200e_cub.py
# (mixup_resnet18_1xb16-200e_cub.py header: ResNet-18, CUB-200-2011, 200 epochs from
# ImageNet weights, batch 16)
# GridMix (Baek et al., Pattern Recognition 2021) in OpenMixup's definition
# and config values, the plugin's `GridMix` batch augment.
# alpha 0.2: not in the published table for this dataset: the
# CIFAR-100/Tiny-ImageNet value of OpenMixup's benchmarks.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/cub200.py',
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
        num_classes=200,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='GridMix', alpha=0.2)]),
)
