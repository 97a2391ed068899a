# Embedded Fashion-MNIST subset (4,000 train / 1,000 test, 28x28 gray),
# shipped inside adautomix_mm: no download, no data folder.
dataset_type = 'EmbeddedFashionMNIST'

# Mean / std of the full official train split, 0-255 units, one channel.
data_preprocessor = dict(
    num_classes=10, mean=[72.940], std=[90.021], to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

# num_workers=0: measured fastest on a 2-core CPU machine (workers only
# compete with the training threads for the cores on this tiny dataset).
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    # explicit: mmpretrain's tools/train.py defaults persistent_workers=True,
    # which torch rejects without workers.
    persistent_workers=False,
    dataset=dict(type=dataset_type, split='train', pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type=dataset_type, split='test', test_mode=True,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
