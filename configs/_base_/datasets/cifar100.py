# CIFAR-100 at 32x32, the reference's CNN recipe (OpenMixup
# configs/classification/_base_/datasets/cifar100/sz32_bs100.py):
# RandomCrop 32 with 4-pixel reflect padding + horizontal flip, batch 100 on
# one GPU, no test-time transform.
#
# Expects mmpretrain's CIFAR layout, data/cifar100/cifar-100-python/{train,
# test,meta}; `download=False`, so nothing is fetched from the network (get
# the python archive from https://www.cs.toronto.edu/~kriz/cifar.html).
#
# Normalisation: the reference normalises CIFAR-100 with the CIFAR-10
# statistics (mean 0.4914/0.4822/0.4465, std 0.2023/0.1994/0.2010); kept here,
# converted to 0-255 units because mmpretrain normalises uint8 pixels. The
# loaded arrays are already RGB, hence to_rgb=False.
dataset_type = 'CIFAR100'
data_preprocessor = dict(
    num_classes=100,
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    to_rgb=False,
)

train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=4, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=100,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root='data/cifar100',
        split='train',
        download=False,
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=100,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root='data/cifar100',
        split='test',
        download=False,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = [dict(type='Accuracy', topk=(1, 5))]

test_dataloader = val_dataloader
test_evaluator = val_evaluator
