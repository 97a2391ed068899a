# ResNeXt-50 (32x4d) from torchvision's ImageNet weights (see
# resnext50_pretrained.py) for a learned mixer's fine-grained recipe:
# `model = dict(_base_.rx50_pretrained_mixer_backbone, head=..., ...)`.
rx50_pretrained_mixer_backbone = dict(backbone=dict(
    _delete_=True,
    type='ResNeXt',
    depth=50,
    groups=32,
    width_per_group=4,
    num_stages=4,
    out_indices=(2, 3),
    style='pytorch',
    init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnext50_32x4d')))
