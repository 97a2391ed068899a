# AutoMix: ResNet-50, CUB-200-2011, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/automix_resnet18_in1k.py',
    '../_base_/models/learned_mixer_resnet50_pretrained.py',
    '../_base_/datasets/cub200.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e_automix.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _base_.r50_pretrained_mixer_backbone,
    head=dict(num_classes=200, in_channels=2048),
    mix_head=dict(num_classes=200, in_channels=2048),
    partners_no_repeat=True,  # mix_shuffle_no_repeat
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
