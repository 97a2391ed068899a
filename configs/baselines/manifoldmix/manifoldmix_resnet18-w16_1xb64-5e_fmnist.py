# manifoldmix baseline, the sibling of ../mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py
# (mixup_resnet18-w16_1xb64-5e_fmnist.py header: ResNet-18 w16 on the full Fashion-MNIST (run
# tools/prepare_fashion_mnist.py first))
# Manifold Mixup (Verma et al., ICML'19): the hidden state after a layer
# drawn from {input, stage 1, stage 2} is mixed with the shuffled batch
# by lambda ~ Beta(alpha, alpha), labels by the same lambda (OpenMixup
# `manifoldmix=dict(layer=(0, 3))`). ManifoldMixClassifier; no extra pass.
# alpha 2.0: not in the published tables for this dataset: the
# CIFAR-100 value (OpenMixup docs/en/mixup_benchmarks/Mixup_cifar.md).
_base_ = '../mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py'

# The method block: the sibling's Mixup batch augment gives way to the
# classifier's own hidden-state mixing.
model = dict(
    type='ManifoldMixClassifier',
    alpha=2.0,
    layers=(0, 1, 2),
    train_cfg=None,
)
