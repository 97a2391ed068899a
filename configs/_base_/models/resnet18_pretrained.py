# resnet18 from torchvision's ImageNet weights (the reference's fine-grained
# runs), loaded by init_weights() at training start into the torch hub cache;
# offline: checkpoint='path/to/resnet18-f37072fd.pth'.
_base_ = ['./resnet18.py']
model = dict(backbone=dict(
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')))
