# ResNet-50 from torchvision's ImageNet weights (see resnet50_pretrained.py)
# for a learned mixer's fine-grained recipe:
# `model = dict(_base_.r50_pretrained_mixer_backbone, head=..., ...)`.
r50_pretrained_mixer_backbone = dict(backbone=dict(
    _delete_=True,
    type='ResNet',
    depth=50,
    num_stages=4,
    out_indices=(2, 3),
    style='pytorch',
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')))
