# Vanilla: ResNet-50, CUB-200-2011, 200 epochs, batch 16.
_base_ = [
    '../../_base_/models/resnet50_pretrained.py',
    '../../_base_/datasets/cub200.py',
    '../../_base_/schedules/finegrained_sgd_cosine_200e.py',
    '../../_base_/default_runtime.py',
]

model = dict(head=dict(num_classes=200))
