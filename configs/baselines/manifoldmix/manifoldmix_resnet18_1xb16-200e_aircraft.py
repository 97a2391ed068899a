# manifoldmix baseline, the sibling of ../mixup/mixup_resnet18_1xb16-200e_aircraft.py
# (mixup_resnet18_1xb16-200e_aircraft.py header: ResNet-18, FGVC-Aircraft, 200 epochs from
# ImageNet weights, batch 16)
# Manifold Mixup (Verma et al., ICML'19): the hidden state after a layer
# drawn from {input, stage 1, stage 2} is mixed with the shuffled batch
# by lambda ~ Beta(alpha, alpha), labels by the same lambda (OpenMixup
# `manifoldmix=dict(layer=(0, 3))`). ManifoldMixClassifier; no extra pass.
# alpha 0.5: OpenMixup's fine-grained benchmark (CUB-200 and FGVC-Aircraft,
# ResNet-18 and ResNeXt-50; docs/en/mixup_benchmarks/Mixup_downstream.md).
_base_ = '../mixup/mixup_resnet18_1xb16-200e_aircraft.py'

# The method block: the sibling's Mixup batch augment gives way to the
# classifier's own hidden-state mixing.
model = dict(
    type='ManifoldMixClassifier',
    alpha=0.5,
    layers=(0, 1, 2),
    train_cfg=None,
)
