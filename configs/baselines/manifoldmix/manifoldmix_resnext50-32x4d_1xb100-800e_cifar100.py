# manifoldmix baseline, the sibling of ../mixup/mixup_resnext50-32x4d_1xb100-800e_cifar100.py
# (mixup_resnext50-32x4d_1xb100-800e_cifar100.py header: ResNeXt-50 32x4d with the CIFAR stem
# (ResNeXt_CIFAR), CIFAR-100, 800 epochs, batch 100 on one GPU)
# Manifold Mixup (Verma et al., ICML'19): the hidden state after a layer
# drawn from {input, stage 1, stage 2} is mixed with the shuffled batch
# by lambda ~ Beta(alpha, alpha), labels by the same lambda (OpenMixup
# `manifoldmix=dict(layer=(0, 3))`). ManifoldMixClassifier; no extra pass.
# alpha 2.0: OpenMixup's CIFAR-100 benchmark
# (docs/en/mixup_benchmarks/Mixup_cifar.md).
_base_ = '../mixup/mixup_resnext50-32x4d_1xb100-800e_cifar100.py'

# The method block: the sibling's Mixup batch augment gives way to the
# classifier's own hidden-state mixing.
model = dict(
    type='ManifoldMixClassifier',
    alpha=2.0,
    layers=(0, 1, 2),
    train_cfg=None,
)
