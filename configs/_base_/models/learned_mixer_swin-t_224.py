# Swin-T at 224 px (the network of swin-t_224.py) for a learned mixer's recipe:
# stages 3 and 4 out (7 x 7 after downsampling); merged over the family base's
# ResNet-18 by `model = dict(_base_.swin_t_mixer_net, ...)`.
swin_t_mixer_net = dict(
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        arch='tiny',
        img_size=224,
        drop_path_rate=0.2,
        out_indices=(2, 3),
        out_after_downsample=True),
    head=dict(in_channels=768, init_cfg=None, loss=dict(
        _delete_=True, type='LabelSmoothLoss', label_smooth_val=0.1,
        mode='original')),
    mix_head=dict(in_channels=768, init_cfg=None, loss=dict(
        _delete_=True, type='LabelSmoothLoss', label_smooth_val=0.1,
        mode='original')),
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.0),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0),
    ],
)
