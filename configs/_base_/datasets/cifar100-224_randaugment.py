# CIFAR-100 upsampled to 224 px with the reference's ViT-style augmentation
# (its Swin-T recipe): RandomResizedCrop 224 (scale 0.8-1, bicubic) + flip +
# the RandAugment of cifar100_randaugment.py, 2 GPUs x 25; test: resize to 224.
_base_ = ['./cifar100_randaugment.py']

train_dataloader = dict(
    batch_size=25,
    dataset=dict(pipeline=[
        dict(
            type='RandomResizedCrop',
            scale=224,
            crop_ratio_range=(0.8, 1.0),
            backend='pillow',
            interpolation='bicubic'),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        {{_base_.cifar_randaugment}},
        dict(type='PackInputs'),
    ]),
)
val_dataloader = dict(
    dataset=dict(pipeline=[
        dict(
            type='Resize',
            scale=(224, 224),
            backend='pillow',
            interpolation='bicubic'),
        dict(type='PackInputs'),
    ]))
test_dataloader = val_dataloader
