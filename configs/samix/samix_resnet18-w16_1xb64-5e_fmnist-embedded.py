# SAMix: ResNet-18 (width 16), embedded Fashion-MNIST subset, 5 epochs,
# batch 64.
_base_ = [
    '../_base_/models/automix_resnet18-w16_fmnist.py',
    '../_base_/datasets/fashion_mnist_embedded.py',
    '../_base_/schedules/fmnist_sgd_demo.py',
    '../_base_/default_runtime.py',
]

# SAMix's Mix Block (_base_/models/samix_resnet18_cifar.py) at demo width
model = dict(
    mix_block=dict(
        upsample_mode='bilinear',
        lam_mul=1.0,
        lam_mul_k=0.25,
        lam_residual=True,
        x_qk_concat=True,
        value_neck_cfg=dict(
            hid_channels=32,
            num_layers=2,
            norm_cfg=dict(type='BN'),
            act_cfg=dict(type='ELU'),
            with_bias=False),
        mask_loss_mode='L1+Variance'),
    generator_loss='mixup_ce',
    generator_eta=0.5,
)

val_evaluator = test_evaluator = _base_.ema_online_accuracy

default_hooks = dict(logger=dict(interval=20))
