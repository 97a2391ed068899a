# SAMix (Li et al., "Boosting Discriminative Visual Representation Learning
# with Scenario-Agnostic Mixup", arXiv:2111.15454), supervised version, as
# configured in OpenMixup: the same AutoMix class with SAMix's Mix Block
# options (reference study §2.4; OpenMixup configs/classification/cifar100/
# samix/basic/r18_l2_a2_bili_val_dp0_mul_x_cat_L1_var_01_mlr5e_2.py).
# CIFAR-100 R18: 82.30 top-1 at 800 epochs (reference study §3.1).
#
# On top of ../automix/automix_resnet18_1xb100-800e_cifar100.py (everything else
# inherited): bilinear upsampling; lambda encoded by scaling the features
# (lam_mul=1, residual, k=0.25) instead of a channel; q and k both from the
# concatenated pair (x_qk_concat, separate key projection); a 2-layer value
# network (C -> 128 -> 1, BN + ReLU); the 'L1+Variance' mask loss.
#
# Not implemented (so this is SAMix minus one part): the reference's
# eta-balanced mixup loss for the Mix Block's branch (head_mix_k with
# neg_weight=0.5); the generator's loss here is AutoMix's soft CE.
_base_ = ['../automix/automix_resnet18_1xb100-800e_cifar100.py']

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
        mask_loss_mode='L1+Variance'))
