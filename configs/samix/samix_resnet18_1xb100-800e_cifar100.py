# SAMix: ResNet-18, CIFAR-100, 800 epochs, batch 100.
_base_ = [
    '../_base_/models/samix_resnet18_cifar.py',
    '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

# openmixup configs/classification/cifar100/samix/basic/r18/unsampling_mode
# bilinear/r18_l2_a2_bili_val_dp0_mul_x_cat_L1_var_01_mlr5e_2_lam_mul_k0_25_
# mask_adjust0_25_ep800.py (mask_adjust_ratio stays 'classifier', see
# docs/automix_samix.md; the reference compares with lambda_g: 'generator')
model = dict(mask_adjust=0.25)

val_evaluator = test_evaluator = _base_.ema_online_accuracy
