# ResNeXt-50 (32x4d), ImageNet variant: MMPretrain's own base, inherited
# (torchvision parameter names, so its weights load); 1000 classes.
_base_ = 'mmpretrain::_base_/models/resnext50_32x4d.py'
