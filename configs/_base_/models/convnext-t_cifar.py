# ConvNeXt-T with a 1x1 stride-1 stem for 32 px CIFAR input, the reference's
# ConvNeXt-T run: drop path 0.3, final LayerNorm before pooling, label
# smoothing 0.1, truncated-normal init of the Linear layers.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ConvNeXt',
        arch='tiny',
        stem_patch_size=1,
        drop_path_rate=0.3,
        out_indices=(3, ),
        gap_before_final_norm=False),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=768,
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        init_cfg=None,
        topk=(1, 5),
    ),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.0),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0),
    ],
)
