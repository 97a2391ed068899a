# manifoldmix baseline, the sibling of ../mixup/mixup_resnet18_1xb100-400e_tinyimagenet.py
# (mixup_resnet18_1xb100-400e_tinyimagenet.py header: ResNet-18 (CIFAR variant, as the
# reference, at 64 px), Tiny-ImageNet, 400 epochs, batch 100 on one GPU)
# Manifold Mixup (Verma et al., ICML'19): the hidden state after a layer
# drawn from {input, stage 1, stage 2} is mixed with the shuffled batch
# by lambda ~ Beta(alpha, alpha), labels by the same lambda (OpenMixup
# `manifoldmix=dict(layer=(0, 3))`). ManifoldMixClassifier; no extra pass.
# alpha 0.2: OpenMixup's Tiny-ImageNet benchmark
# (docs/en/mixup_benchmarks/Mixup_imagenet.md).
_base_ = '../mixup/mixup_resnet18_1xb100-400e_tinyimagenet.py'

# The method block: the sibling's Mixup batch augment gives way to the
# classifier's own hidden-state mixing.
model = dict(
    type='ManifoldMixClassifier',
    alpha=0.2,
    layers=(0, 1, 2),
    train_cfg=None,
)
