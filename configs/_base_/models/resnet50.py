# ResNet-50, ImageNet variant (mmpretrain ResNet: 7x7 stride-2 stem +
# max-pool, bottleneck stages; torchvision-compatible parameter names, so
# torchvision ImageNet weights load with init_cfg/load_from). Plain
# single-network classifier for the baselines; 1000 classes (fine-grained
# configs override num_classes).
#
# Exactly MMPretrain's own base, inherited (not copied).
_base_ = 'mmpretrain::_base_/models/resnet50.py'
