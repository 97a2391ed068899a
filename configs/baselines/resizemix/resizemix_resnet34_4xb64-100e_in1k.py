# resizemix baseline, the sibling of ../mixup/mixup_resnet34_4xb64-100e_in1k.py
# (mixup_resnet34_4xb64-100e_in1k.py header: ResNet-34, ImageNet-1k, 100 epochs, 4 GPUs x 64
# images)
# ResizeMix (Qin et al., arXiv 2012.11101): MMPretrain's own `ResizeMix`
# batch augment as it is (its label weight lies in [0.1, 0.8], unlike
# OpenMixup's side-scale parametrisation).
# alpha 1.0: OpenMixup's ImageNet benchmark, PyTorch-style 100 epochs
# (docs/en/mixup_benchmarks/Mixup_imagenet.md).
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
    train_cfg=dict(augments=[dict(type='ResizeMix', alpha=1.0)]),
)
