# manifoldmix baseline, the sibling of ../mixup/mixup_resnet34_4xb64-100e_in1k.py
# (mixup_resnet34_4xb64-100e_in1k.py header: ResNet-34, ImageNet-1k, 100 epochs, 4 GPUs x 64
# images)
# Manifold Mixup (Verma et al., ICML'19): the hidden state after a layer
# drawn from {input, stage 1, stage 2} is mixed with the shuffled batch
# by lambda ~ Beta(alpha, alpha), labels by the same lambda (OpenMixup
# `manifoldmix=dict(layer=(0, 3))`). ManifoldMixClassifier; no extra pass.
# alpha 0.2: OpenMixup's ImageNet benchmark, PyTorch-style 100 epochs
# (docs/en/mixup_benchmarks/Mixup_imagenet.md).
_base_ = '../mixup/mixup_resnet34_4xb64-100e_in1k.py'

# The method block: the sibling's Mixup batch augment gives way to the
# classifier's own hidden-state mixing.
model = dict(
    type='ManifoldMixClassifier',
    alpha=0.2,
    layers=(0, 1, 2),
    train_cfg=None,
)
