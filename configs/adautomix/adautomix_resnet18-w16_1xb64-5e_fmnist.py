# AdAutoMix, ResNet-18 w16, on the full Fashion-MNIST (60,000 train /
# 10,000 test; run tools/prepare_fashion_mnist.py first), 5 epochs: the
# budget of the full-set baselines configs/baselines/*/*_resnet18-w16_1xb64-5e_fmnist.py,
# for a side-by-side comparison.
#
# The model and the game are the embedded demo's (reference CIFAR-100 R18
# hyper-parameters, see adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py). The EMA window
# is scaled to this run's 4,690 iterations: momentum 0.99 -> 0.999 (the
# demo: 0.9 -> 0.99 over 315 iterations; the reference: 0.999 -> 0.999999
# over ~400k).
_base_ = ['./adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py']

data_root = 'data/fashion_mnist'
# mmpretrain 1.2's FashionMNIST picks the files by `test_mode`, not by
# `split`: the test split needs test_mode=True or it silently loads train.
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='FashionMNIST',
        data_prefix=data_root,
        split='train',
        download=False,
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='FashionMNIST',
        data_prefix=data_root,
        split='test',
        test_mode=True,
        download=False,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader

model = dict(teacher_momentum=0.99)
custom_hooks = [
    dict(
        type='AdversarialOptimizerHook',
        momentum=0.99,
        end_momentum=0.999,
        adjust_scope=(0.1, 1.0),
        adv_interval=2),
    dict(type='MixedSampleVisualizationHook', interval=1, num_images=8),
]

default_hooks = dict(logger=dict(interval=100))
