# Tiny-ImageNet-200 at 64x64 (OpenMixup configs/classification/tiny_imagenet,
# AdAutoMix's Tiny-ImageNet runs): RandomResizedCrop 64 (bicubic) + flip,
# batch 100 on one GPU, test images as they are; ImageNet mean/std; layout:
# docs/datasets.md.
dataset_type = 'CustomDataset'
data_preprocessor = dict(
    num_classes=200,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    # LoadImageFromFile gives BGR
    to_rgb=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    # bicubic, as openmixup _base_/datasets/tiny_imagenet/sz64_bs100.py
    dict(type='RandomResizedCrop', scale=64, backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=100,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root='data/tiny-imagenet-200',
        data_prefix='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=100,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root='data/tiny-imagenet-200',
        data_prefix='val',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = [dict(type='Accuracy', topk=(1, 5))]

test_dataloader = val_dataloader
test_evaluator = val_evaluator
