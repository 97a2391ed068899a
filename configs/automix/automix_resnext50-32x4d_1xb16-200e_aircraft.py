# AutoMix: ResNeXt-50 (32x4d), FGVC-Aircraft, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/automix_resnet18_in1k.py',
    '../_base_/datasets/fgvc_aircraft.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNeXt',
        depth=50,
        groups=32,
        width_per_group=4,
        num_stages=4,
        out_indices=(2, 3),
        style='pytorch',
        init_cfg=dict(
            type='Pretrained', checkpoint='torchvision://resnext50_32x4d')),
    head=dict(num_classes=100, in_channels=2048),
    mix_head=dict(num_classes=100, in_channels=2048),
    partners_no_repeat=True,  # mix_shuffle_no_repeat
)

optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'mix_block': dict(lr_mult=10.0, eta_min=5e-4)}))
param_scheduler = dict(type='GroupCosineAnnealingLR')

val_evaluator = test_evaluator = _base_.ema_online_accuracy
