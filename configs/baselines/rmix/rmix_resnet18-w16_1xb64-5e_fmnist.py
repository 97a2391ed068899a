# R-Mix baseline, the sibling of ../mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py
# (mixup_resnet18-w16_1xb64-5e_fmnist.py header: ResNet-18 w16 on the full Fashion-MNIST).
# R-Mix (Dirichlet alpha 1.0, quantiles linspace(0, 0.99, 10); train-mode
# saliency, clean loss dropped) as minhlong94/Random-Mixup; pooled patch
# sizes (7, 14) keep its 4x4 / 2x2 grids of 32x32 (kernels 8 / 16) at 28x28.
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/datasets/fashion_mnist.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False),
    type='SaliencyMixClassifier',
    mixer=dict(type='RMix', patch_sizes=(7, 14), num_actions=10,
               max_quantile=0.99, dirichlet_alpha=1.0),
)

default_hooks = dict(logger=dict(interval=100))
