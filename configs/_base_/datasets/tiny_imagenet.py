# Tiny-ImageNet-200 at 64x64 (reference: OpenMixup
# configs/classification/tiny_imagenet/..., used by AdAutoMix's
# Tiny-ImageNet runs): RandomResizedCrop 64 (default scale 0.08-1) + flip,
# batch 100 on one GPU; test images are used as they are (64x64, no crop).
# ImageNet mean/std, as the reference.
#
# Read with mmpretrain's CustomDataset in folder format (one folder per
# class, class index = sorted folder name), from data/tiny-imagenet-200:
#   train/<wnid>/images/*.JPEG   as distributed (sub-folders are scanned
#                                recursively; the *_boxes.txt files are
#                                ignored because of their extension)
#   val/<wnid>/*.JPEG            NOT as distributed: the official archive puts
#                                all 10,000 validation images in val/images/
#                                and their classes in val/val_annotations.txt
#                                (tab-separated: file name, wnid, box). Move
#                                every image into val/<wnid>/ (the same 200
#                                wnids as train/, so the class indices agree)
#                                and remove the empty val/images/ folder, e.g.
#     cd data/tiny-imagenet-200/val && \
#     while IFS=$'\t' read -r f wnid _; do mkdir -p "$wnid" && \
#       mv "images/$f" "$wnid/"; done < val_annotations.txt && rmdir images
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
    dict(type='RandomResizedCrop', scale=64),
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
