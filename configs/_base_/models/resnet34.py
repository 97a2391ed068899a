# ResNet-34, ImageNet variant (mmpretrain ResNet: 7x7 stride-2 stem +
# max-pool, basic-block stages; torchvision-compatible parameter names, so
# torchvision ImageNet weights load with init_cfg/load_from). Plain
# single-network classifier for the baselines; 1000 classes (fine-grained
# configs override num_classes).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=34,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
)
