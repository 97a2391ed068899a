# ConvNeXt-T with the 1x1 stem for 32 px (the network of convnext-t_cifar.py)
# for a learned mixer's recipe: stages 3 and 4 out; merged over the family
# base's ResNet-18 by `model = dict(_base_.convnext_t_mixer_net, ...)`.
_base_ = ['./learned_mixer_swin-t_224.py']
convnext_t_mixer_net = dict(
    _base_.swin_t_mixer_net,
    backbone=dict(
        _delete_=True,
        type='ConvNeXt',
        arch='tiny',
        stem_patch_size=1,
        drop_path_rate=0.3,
        out_indices=(2, 3),
        gap_before_final_norm=False))
