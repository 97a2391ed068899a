# AdAutoMix: ResNeXt-50 (32x4d), Stanford Cars, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/adautomix_resnet18_in1k.py',
    '../_base_/models/learned_mixer_resnext50_pretrained.py',
    '../_base_/datasets/stanford_cars.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e_adautomix.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _base_.rx50_pretrained_mixer_backbone,
    head=dict(num_classes=196, in_channels=2048),
    mix_head=dict(num_classes=196, in_channels=2048),
    mix_samples=3,
    beta_radio=0.3,
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
