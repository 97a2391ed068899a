# A user's own MMPretrain config, not one of this package's: mmpretrain's
# shipped ResNet-18 (CIFAR) model and runtime bases, with AdAutoMix, its hook
# and its metric pulled in by `custom_imports` alone.
_base_ = [
    'mmpretrain::_base_/models/resnet18_cifar.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['adautomix_mm'], allow_failed_imports=False)

model = dict(
    type='AdAutoMix',
    backbone=dict(in_channels=1, out_indices=(2, 3)),
    head=dict(
        num_classes=10, loss=dict(type='CrossEntropyLoss', use_soft=True)),
    mix_block=dict(type='AttentionMixBlock'),
    mix_samples=3)
data_preprocessor = dict(
    num_classes=10, mean=[72.94], std=[90.02], to_rgb=False)

_loader = dict(
    num_workers=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='EmbeddedFashionMNIST', pipeline=[dict(type='PackInputs')]))
train_dataloader = dict(
    _loader, batch_size=16,
    dataset=dict(_loader['dataset'], split='train', indices=64))
val_dataloader = dict(
    _loader, batch_size=32,
    dataset=dict(_loader['dataset'], split='test', indices=32))
val_evaluator = [
    dict(type='NetworkAccuracy', network='ema'),
    dict(type='NetworkAccuracy', network='online'),
]

train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
val_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
custom_hooks = [dict(type='AdversarialOptimizerHook')]
default_hooks = dict(logger=dict(interval=1))
