# CIFAR-100 at 32 px with the reference's ViT-style augmentation (its
# ConvNeXt-T log): RandomCrop 32 (reflect pad 4) + flip + RandAugment (2 ops,
# magnitude 7, std 0.5; FixMatch's ops without `Identity`), 2 GPUs x 50.
_base_ = ['./cifar100.py']

cifar_randaugment = dict(
    type='RandAugment',
    policies=[
        dict(type='AutoContrast'),
        dict(type='Brightness', magnitude_range=(0.05, 0.95)),
        dict(type='ColorTransform', magnitude_range=(0.05, 0.95)),
        dict(type='Contrast', magnitude_range=(0.05, 0.95)),
        dict(type='Equalize'),
        dict(type='Posterize', magnitude_range=(4, 8)),
        dict(type='Rotate', magnitude_range=(0, 30)),
        dict(type='Sharpness', magnitude_range=(0.05, 0.95)),
        dict(
            type='Shear',
            magnitude_range=(0, 0.3),
            direction='horizontal'),
        dict(
            type='Shear', magnitude_range=(0, 0.3),
            direction='vertical'),
        dict(type='Solarize', magnitude_range=(256, 0)),
        dict(
            type='Translate',
            magnitude_range=(0, 0.3),
            direction='horizontal'),
        dict(
            type='Translate',
            magnitude_range=(0, 0.3),
            direction='vertical'),
    ],
    num_policies=2,
    total_level=10,
    magnitude_level=7,
    magnitude_std=0.5,
    hparams=dict(pad_val=[114, 123, 125], interpolation='bicubic'))

train_dataloader = dict(
    batch_size=50,
    dataset=dict(pipeline=[
        dict(
            type='RandomCrop', crop_size=32, padding=4,
            padding_mode='reflect'),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        cifar_randaugment,
        dict(type='PackInputs'),
    ]),
)
