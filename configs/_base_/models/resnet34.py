# ResNet-34, ImageNet variant: MMPretrain's own base, inherited (torchvision
# parameter names, so torchvision weights load); 1000 classes.
_base_ = 'mmpretrain::_base_/models/resnet34.py'
