# SAMix's Mix Block options (see samix_resnet18_1xb100-800e_cifar100.py) on the embedded
# Fashion-MNIST demo: ../automix/automix_resnet18-w16_1xb64-5e_fmnist-embedded.py with the
# SAMix block (value network 64 -> 32 -> 1, half the stage-3 width as the
# reference's 256 -> 128 -> 1), and the generator loss as the CIFAR SAMix
# recipes (the reference's eta on a soft CE computes the mixup CE).
_base_ = ['../automix/automix_resnet18-w16_1xb64-5e_fmnist-embedded.py']

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
            act_cfg=dict(type='ReLU')),
        mask_loss_mode='L1+Variance'),
    generator_loss='mixup_ce',
    generator_eta=0.5,
)
