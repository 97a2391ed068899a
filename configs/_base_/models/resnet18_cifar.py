# ResNet-18, CIFAR variant (3x3 stride-1 stem, no max-pool), the reference's
# ResNet_CIFAR-18: MMPretrain's own base, inherited.
_base_ = 'mmpretrain::_base_/models/resnet18_cifar.py'

# Differences from MMPretrain's base: CIFAR-100 (100 classes) and top-1/5
# accuracy during training.
model = dict(head=dict(num_classes=100, topk=(1, 5)))
