# AdAutoMix: ResNet-18, FGVC-Aircraft, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/adautomix_resnet18_in1k.py',
    '../_base_/datasets/fgvc_aircraft.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e_adautomix.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet18')),
    head=dict(num_classes=100),
    mix_head=dict(num_classes=100),
    # JinXins/Adversarial-AutoMixup configs/classification/
    # aircrafts/adautomix/basic/r18_adautomix_bilinear.py
    mix_samples=3,
    is_random=True,
    lam_margin=0.0,
    beta_radio=0.3,
)

param_scheduler = dict(eta_min=5e-4)  # min_lr of the same config

val_evaluator = test_evaluator = _base_.ema_online_accuracy
