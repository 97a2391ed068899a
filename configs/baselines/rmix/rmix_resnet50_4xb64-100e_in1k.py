# R-Mix baseline, the sibling of ../mixup/mixup_resnet50_4xb64-100e_in1k.py
# (mixup_resnet50_4xb64-100e_in1k.py header: ResNet-50, ImageNet-1k, 100 epochs, 4 GPUs x 64 images).
# R-Mix (Dirichlet alpha 1.0, quantiles linspace(0, 0.99, 10); train-mode
# saliency, clean loss dropped) as minhlong94/Random-Mixup; pooled patch
# sizes (56, 112) keep its 4x4 / 2x2 grids of 32x32 (kernels 8 / 16) at 224x224.
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
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
    type='SaliencyMixClassifier',
    mixer=dict(type='RMix', patch_sizes=(56, 112), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=1.0),
)
