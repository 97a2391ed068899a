# AutoMix: ResNet-18, Stanford Cars, 200 epochs, batch 16.
_base_ = [
    '../_base_/models/automix_resnet18_in1k.py',
    '../_base_/datasets/stanford_cars.py',
    '../_base_/schedules/finegrained_sgd_cosine_200e_automix.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet18')),
    head=dict(num_classes=196),
    mix_head=dict(num_classes=196),
    partners_no_repeat=True,  # mix_shuffle_no_repeat
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
