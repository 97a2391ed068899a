# AdAutoMix: ResNet-18, CUB-200-2011, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/adautomix_resnet18_in1k.py',
    '../_base_/datasets/cub200.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e_adautomix.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet18')),
    head=dict(num_classes=200),
    mix_head=dict(num_classes=200),
    mix_samples=3,
    is_random=True,
    beta_radio=0.3,
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
