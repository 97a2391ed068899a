# SAMix: ResNeXt-50 (32x4d), CIFAR-100, 800 epochs, batch 100.
_base_ = [
    '../_base_/models/samix_resnet18_cifar.py',
    '../_base_/models/learned_mixer_resnext50_cifar.py',
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    _base_.rx50_mixer_net,
    # value neck 1024 -> 512 -> 1 (openmixup configs/classification/cifar100/
    # samix/basic/rx50_l2_a2_bili_val_dp0_mul_x_cat_L1_var_01_mlr5e_2.py)
    mix_block=dict(value_neck_cfg=dict(hid_channels=512)),
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
