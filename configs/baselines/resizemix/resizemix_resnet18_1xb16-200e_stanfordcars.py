# ResizeMix: ResNet-18, Stanford Cars, 200 epochs, batch 16.
_base_ = [
    '../../_base_/models/resnet18_pretrained.py',
    '../../_base_/models/resizemix.py',
    '../../_base_/datasets/stanford_cars.py',
    '../../_base_/schedules/finegrained_sgd_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    head=dict(_base_.soft_ce_head, num_classes=196),
    train_cfg=dict(augments=[_base_.resizemix]))
