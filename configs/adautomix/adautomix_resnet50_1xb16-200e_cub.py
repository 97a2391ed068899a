# AdAutoMix: ResNet-50, CUB-200-2011, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/adautomix_resnet18_in1k.py',
    '../_base_/models/learned_mixer_resnet50_pretrained.py',
    '../_base_/datasets/cub200.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e_adautomix.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _base_.r50_pretrained_mixer_backbone,
    head=dict(num_classes=200, in_channels=2048),
    mix_head=dict(num_classes=200, in_channels=2048),
    # JinXins/Adversarial-AutoMixup configs/classification/
    # cub200/adautomix/basic/r50_adautomix_bilinear.py
    mix_samples=3,
    beta_radio=0.1,
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
