# gridmix baseline, the sibling of ../mixup/mixup_resnet18_1xb100-400e_tinyimagenet.py
# (mixup_resnet18_1xb100-400e_tinyimagenet.py header: ResNet-18 (CIFAR variant, as the
# reference, at 64 px), Tiny-ImageNet, 400 epochs, batch 100 on one GPU)
# GridMix (Baek et al., Pattern Recognition 2021) in OpenMixup's definition
# and config values, the plugin's `GridMix` batch augment.
# alpha 0.2: OpenMixup's Tiny-ImageNet benchmark
# (docs/en/mixup_benchmarks/Mixup_imagenet.md).
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
    train_cfg=dict(augments=[dict(type='GridMix', alpha=0.2)]),
)
