# AdAutoMix on the embedded Fashion-MNIST subset (4,000 train / 1,000 test):
# the main job of `make demo`, a few minutes on a CPU.
#
# Hyper-parameters follow the reference's CIFAR-100 R18 recipe
# (JinXins/Adversarial-AutoMixup configs/classification/cifar100/basic/
# r18_adautomix_bilinear.py): N=3, alpha=1, r=0.5, beta=0.3, lam_margin=0.03,
# no lambda channel, bilinear upsampling, mix features from stage 3.
# Deviations for a 5-epoch CPU run, named here:
#   * ResNet-18 at width 16 for 1-channel 28x28 input (see the model base);
#   * EMA momentum 0.9 -> 0.99 instead of 0.999 -> 0.999999: the reference
#     schedule is tuned for ~400k iterations (an averaging window of 1k-1M
#     iterations); this run has 315, so the window is scaled to 10-100
#     iterations (with 0.99 -> 0.9999 the teacher froze after ~2 epochs and
#     ended 9 points below the online network);
#   * cosine LR to 0 instead of the CIFAR floor of 0.05;
#   * lam_margin_mode='any' and online_pass_order='amix_clean_vmix'
#     (AdAutoMix's defaults, with which the README's Fashion-MNIST numbers
#     were measured; the reference recipes use 'first' and
#     'clean_vmix_amix', see docs/reference_fidelity.md).
_base_ = [
    '../_base_/models/resnet18_w16_fmnist.py',
    '../_base_/datasets/fashion_mnist_embedded.py',
    '../_base_/schedules/fmnist_sgd_demo.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _delete_=True,
    type='AdAutoMix',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        in_channels=1,
        stem_channels=16,
        base_channels=16,
        out_indices=(2, 3),  # stage 3 feeds the Mix Block, stage 4 the heads
    ),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', use_soft=True),
        topk=(1, 5)),
    mix_head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', use_soft=True)),
    mix_block=dict(
        type='AttentionMixBlock',
        reduction=2,
        lam_concat=False,
        use_scale=True,
        upsample_mode='bilinear'),
    mix_samples=3,
    alpha=1.0,
    lam_margin=0.03,
    lam_margin_mode='any',
    online_pass_order='amix_clean_vmix',
    mixup_radio=0.5,
    beta_radio=0.3,
    teacher_momentum=0.9,
)

custom_hooks = [
    dict(
        type='AdversarialOptimizerHook',
        momentum=0.9,
        end_momentum=0.99,
        adjust_scope=(0.1, 1.0),
        adv_interval=2),
    dict(type='MixedSampleVisualizationHook', interval=1, num_images=8),
]

# Both networks are evaluated every epoch; the EMA teacher is the deployable
# model (and what the reference's tables report).
val_evaluator = [
    dict(type='NetworkAccuracy', network='ema', topk=(1, 5)),
    dict(type='NetworkAccuracy', network='online', topk=(1, 5)),
]
test_evaluator = val_evaluator

default_hooks = dict(logger=dict(interval=20))
