# resnext50 from torchvision's ImageNet weights (the reference's fine-grained
# runs), loaded by init_weights() at training start into the torch hub cache;
# offline: checkpoint='path/to/resnext50_32x4d-7cdf4587.pth'.
_base_ = ['./resnext50.py']
model = dict(backbone=dict(
    init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnext50_32x4d')))
