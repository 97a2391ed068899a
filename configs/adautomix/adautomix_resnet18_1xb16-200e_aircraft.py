# AdAutoMix: ResNet-18, FGVC-Aircraft, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/adautomix_resnet18_in1k.py',
    '../_base_/datasets/fgvc_aircraft.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet18')),
    head=dict(num_classes=100),
    mix_head=dict(num_classes=100),
    mix_samples=3,
    beta_radio=0.3,
)

optim_wrapper = dict(paramwise_cfg=dict(
    custom_keys={'mix_block': dict(lr_mult=100.0, eta_min=1e-3)}))
param_scheduler = dict(type='GroupCosineAnnealingLR')

val_evaluator = test_evaluator = _base_.ema_online_accuracy
