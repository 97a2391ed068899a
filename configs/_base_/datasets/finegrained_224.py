# Shared by cub200.py, fgvc_aircraft.py and stanford_cars.py, which add the
# dataset type, root, splits and number of classes. The fine-grained
# transfer recipe of the reference (OpenMixup
# configs/classification/_base_/datasets/cub200/sz224_bs16.py, shared by the
# CUB-200, FGVC-Aircraft and Stanford-Cars runs): short edge to 256, then
# RandomResizedCrop 224 with scale (0.5, 1) + flip; test: short edge to 256 +
# CenterCrop 224. Batch 16 on one GPU, incomplete last batch dropped as the
# reference. ImageNet mean/std (the runs start from ImageNet weights).
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.5, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    dataset=dict(
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    dataset=dict(
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = [dict(type='Accuracy', topk=(1, 5))]

test_dataloader = val_dataloader
test_evaluator = val_evaluator
