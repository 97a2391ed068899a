# Full Fashion-MNIST (60,000 train / 10,000 test, 28x28 gray) read by
# mmpretrain's FashionMNIST from uncompressed IDX files in data_root.
# Fill the folder once with: python tools/prepare_fashion_mnist.py
dataset_type = 'FashionMNIST'
data_root = 'data/fashion_mnist'

# Mean / std of the full official train split, 0-255 units, one channel.
data_preprocessor = dict(
    num_classes=10, mean=[72.940], std=[90.021], to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=28, padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

# num_workers=0 was fastest on a 2-core CPU machine; with a GPU and more cores
# raise it (e.g. --cfg-options train_dataloader.num_workers=4).
# mmpretrain 1.2's MNIST/FashionMNIST choose the files by `test_mode`, not by
# `split`: the test split needs test_mode=True or it silently loads train.
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    # explicit: mmpretrain's tools/train.py defaults persistent_workers=True,
    # which torch rejects without workers.
    persistent_workers=False,
    dataset=dict(
        type=dataset_type, data_prefix=data_root, split='train',
        download=False, pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=128,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type=dataset_type, data_prefix=data_root, split='test',
        test_mode=True, download=False, pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
