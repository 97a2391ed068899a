# resnet50 from torchvision's ImageNet weights (the reference's fine-grained
# runs), loaded by init_weights() at training start into the torch hub cache;
# offline: checkpoint='path/to/resnet50-0676ba61.pth'.
_base_ = ['./resnet50.py']
model = dict(backbone=dict(
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')))
