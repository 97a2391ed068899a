# Manifold Mixup (Verma et al., ICML 2019): the hidden state after a layer
# drawn from {input, stage 1, stage 2} mixed with the shuffled batch (OpenMixup
# `manifoldmix=dict(layer=(0, 3))`); alpha 2.0 of OpenMixup's CIFAR-100 table.
_base_ = ['./soft_ce_head.py']
manifoldmix = dict(
    type='ManifoldMixClassifier', alpha=2.0, layers=(0, 1, 2), train_cfg=None)
