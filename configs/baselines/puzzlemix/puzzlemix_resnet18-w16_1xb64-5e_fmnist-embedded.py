# PuzzleMix baseline, the sibling of ../mixup/mixup_resnet18-w16_1xb64-5e_fmnist-embedded.py
# (mixup_resnet18-w16_1xb64-5e_fmnist-embedded.py header: ResNet-18 w16 on the embedded Fashion-MNIST).
# PuzzleMix (alpha 1.0) at 28x28: the reference's 2/4/8/16 grids need a side
# divisible by 16, so the grids are 2/7/14 (nearest to it that divide 28),
# neigh_size 2 (divides every block side), transport at the graph-cut grid
# (t_size -1); the other energy weights are the CIFAR command's.
# SaliencyMixClassifier: one clean saliency pass per step, mixed soft labels.
_base_ = [
    '../../_base_/models/resnet18_w16_fmnist.py',
    '../../_base_/datasets/fashion_mnist_embedded.py',
    '../../_base_/schedules/fmnist_sgd_demo.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0, use_soft=True),
        cal_acc=False),
    type='SaliencyMixClassifier',
    mixer=dict(type='PuzzleMix', alpha=1.0, block_nums=(2, 7, 14), neigh_size=2,
               t_size=-1, clean_lam=0.0),
)

default_hooks = dict(logger=dict(interval=20))
