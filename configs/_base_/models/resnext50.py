# ResNeXt-50 (32x4d), ImageNet variant (mmpretrain ResNeXt: 7x7 stride-2 stem
# + max-pool, grouped bottleneck stages; torchvision-compatible parameter
# names, so torchvision's resnext50_32x4d weights load with init_cfg).
# Plain single-network classifier for the baselines; 1000 classes
# (fine-grained configs override num_classes).
#
# Exactly MMPretrain's own base, inherited (not copied).
_base_ = 'mmpretrain::_base_/models/resnext50_32x4d.py'
