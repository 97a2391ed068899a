# ResNeXt-50 (32x4d) with the CIFAR stem for a learned mixer's recipe: stage
# 3 (1024 x 8 x 8) feeds the Mix Block; `model = dict(_base_.rx50_mixer_net)`.
rx50_mixer_net = dict(
    backbone=dict(
        _delete_=True,
        type='ResNeXt_CIFAR',
        depth=50,
        groups=32,
        width_per_group=4,
        out_indices=(2, 3),
        style='pytorch'),
    head=dict(in_channels=2048),
    mix_head=dict(in_channels=2048))
