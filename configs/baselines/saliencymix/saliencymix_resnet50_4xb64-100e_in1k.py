# saliencymix baseline, the sibling of ../mixup/mixup_resnet50_4xb64-100e_in1k.py
# (mixup_resnet50_4xb64-100e_in1k.py header: ResNet-50, ImageNet-1k, 100 epochs, 4 GPUs x 64
# images)
# SaliencyMix (Uddin et al., ICLR'21): a CutMix box at the static-saliency
# peak of one partner image, the plugin's `SaliencyMix` batch augment.
# alpha 1.0: OpenMixup's ImageNet benchmark, PyTorch-style 100 epochs
# (docs/en/mixup_benchmarks/Mixup_imagenet.md).
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='SaliencyMix', alpha=1.0)]),
)
