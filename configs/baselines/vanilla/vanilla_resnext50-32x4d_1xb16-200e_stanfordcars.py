# Vanilla (no mixing) baseline: ResNeXt-50 32x4d, Stanford-Cars, 200 epochs from ImageNet
# weights, batch 16.
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
    ),
)
