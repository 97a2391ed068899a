# SAMix (supervised), CIFAR family: the AutoMix class with SAMix's Mix Block
# options (docs/automix.md); Westlake-AI/openmixup configs/classification/
# cifar100/samix/basic/r18_l2_a2_bili_val_dp0_mul_x_cat_L1_var_01_mlr5e_2.py
_base_ = ['./automix_resnet18_cifar.py']
model = dict(
    mix_block=dict(
        upsample_mode='bilinear',
        lam_mul=1.0,
        lam_mul_k=0.25,
        lam_residual=True,
        x_qk_concat=True,
        # OpenMixup's ConvNeck with its defaults (necks/conv_necks.py): BN +
        # ELU, no bias in any conv, the last included
        value_neck_cfg=dict(
            _delete_=True,  # replaces AutoMix's None
            hid_channels=128,
            num_layers=2,
            norm_cfg=dict(type='BN'),
            act_cfg=dict(type='ELU'),
            with_bias=False),
        mask_loss_mode='L1+Variance'),
    # the reference's head_mix_k (soft CE with neg_weight 0.5) computes the
    # plain mixup CE; 'eta_balanced_bce' is the form in which eta acts
    generator_loss='mixup_ce',
    generator_eta=0.5,
)
