# saliencymix baseline, the sibling of ../mixup/mixup_resnext50-32x4d_1xb16-200e_aircraft.py
# (mixup_resnext50-32x4d_1xb16-200e_aircraft.py header: ResNeXt-50 32x4d, FGVC-Aircraft, 200 epochs
# from ImageNet weights, batch 16)
# SaliencyMix (Uddin et al., ICLR'21): a CutMix box at the static-saliency
# peak of one partner image, the plugin's `SaliencyMix` batch augment.
# alpha 0.2: OpenMixup's fine-grained benchmark
# (docs/en/mixup_benchmarks/Mixup_downstream.md).
_base_ = [
    '../../_base_/models/resnext50.py',
    '../../_base_/datasets/fgvc_aircraft.py',
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
        num_classes=100,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='SaliencyMix', alpha=0.2)]),
)
