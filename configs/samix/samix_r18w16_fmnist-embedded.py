# SAMix's Mix Block options (see samix_r18_cifar100_800e.py) on the embedded
# Fashion-MNIST demo: ../automix/automix_r18w16_fmnist-embedded.py with the
# SAMix block (value network 64 -> 32 -> 1, half the stage-3 width as the
# reference's 256 -> 128 -> 1), and the generator loss as the CIFAR SAMix
# recipes (the reference's eta on a soft CE computes the mixup CE).
_base_ = ['../automix/automix_r18w16_fmnist-embedded.py']

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
