# ResNet-18, CIFAR variant (mmpretrain ResNet_CIFAR: 3x3 stride-1 stem, no
# max-pool; stages at 32/16/8/4 px for a 32 px input), the reference's
# "ResNet_CIFAR-18". Plain single-network classifier for the baselines; the
# mixing baselines switch the loss to soft targets, AdAutoMix recipes use
# adautomix_resnet18_cifar.py instead.
#
# MMPretrain's own base, inherited (not copied).
_base_ = 'mmpretrain::_base_/models/resnet18_cifar.py'

# Differences from MMPretrain's base: CIFAR-100 (100 classes) and top-1/5
# accuracy during training.
model = dict(head=dict(num_classes=100, topk=(1, 5)))
