# SAMix (Li et al., "Boosting Discriminative Visual Representation Learning
# with Scenario-Agnostic Mixup", arXiv:2111.15454), supervised version, as
# configured in OpenMixup: the same AutoMix class with SAMix's Mix Block
# options (reference study §2.4; OpenMixup configs/classification/cifar100/
# samix/basic/rx50_l2_a2_bili_val_dp0_mul_x_cat_L1_var_01_mlr5e_2.py).
# CIFAR-100 RX50: 84.42 top-1 at 800 epochs (reference study §3.1).
#
# On top of ../automix/automix_resnext50-32x4d_1xb100-800e_cifar100.py (everything else
# inherited): bilinear upsampling; lambda encoded by scaling the features
# (lam_mul=1, residual, k=0.25) instead of a channel; q and k both from the
# concatenated pair (x_qk_concat, separate key projection); a 2-layer value
# network (C -> 128 -> 1, BN + ReLU); the 'L1+Variance' mask loss.
#
# The eta-balanced loss of the Mix Block's branch: the reference config gives
# head_mix_k a softmax soft CE with neg_weight=0.5 (eta), a class weight of
# 0.5 on the classes absent from the mixed label. Their target is 0, so the
# weight multiplies zero terms: what the reference computes is the plain
# mixup CE, generator_loss='mixup_ce' below (docs/automix.md). The binary form
# in which eta acts is generator_loss='eta_balanced_bce' (generator_eta=0.5);
# it is not what produced the reference's numbers.
_base_ = ['../automix/automix_resnext50-32x4d_1xb100-800e_cifar100.py']

model = dict(
    mix_block=dict(
        upsample_mode='bilinear',
        lam_mul=1.0,
        lam_mul_k=0.25,
        lam_residual=True,
        x_qk_concat=True,
        value_neck_cfg=dict(
            _delete_=True,  # replaces the AutoMix sibling's None
            hid_channels=128,
            num_layers=2,
            norm_cfg=dict(type='BN'),
            act_cfg=dict(type='ReLU')),
        mask_loss_mode='L1+Variance'),
    generator_loss='mixup_ce',  # = the reference's head_mix_k, see above
    generator_eta=0.5,  # the reference's neg_weight; acts only in the BCE form
)
