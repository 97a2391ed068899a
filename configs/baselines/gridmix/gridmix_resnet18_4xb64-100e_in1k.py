# gridmix baseline, the sibling of ../mixup/mixup_resnet18_4xb64-100e_in1k.py
# (mixup_resnet18_4xb64-100e_in1k.py header: ResNet-18, ImageNet-1k, 100 epochs, 4 GPUs x 64
# images)
# GridMix (Baek et al., Pattern Recognition 2021) in OpenMixup's definition
# and config values, the plugin's `GridMix` batch augment.
# alpha 0.2: not in the published table for this dataset: the
# CIFAR-100/Tiny-ImageNet value of OpenMixup's benchmarks.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False,
    ),
    train_cfg=dict(augments=[dict(type='GridMix', alpha=0.2)]),
)
