# R-Mix baseline, the sibling of ../mixup/mixup_resnet18_1xb100-400e_tinyimagenet.py
# (mixup_resnet18_1xb100-400e_tinyimagenet.py header: ResNet-18 (CIFAR variant, as the reference, at 64 px),).
# R-Mix (Dirichlet alpha 1.0, quantiles linspace(0, 0.99, 10); train-mode
# saliency, clean loss dropped) as minhlong94/Random-Mixup; pooled patch
# sizes (16, 32) keep its 4x4 / 2x2 grids of 32x32 (kernels 8 / 16) at 64x64.
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
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
    type='SaliencyMixClassifier',
    mixer=dict(type='RMix', patch_sizes=(16, 32), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=1.0),
)
