from .adautomix import AdAutoMix
from .momentum_mix_classifier import MomentumMixClassifier
from .saliency_mix_classifier import SaliencyMixClassifier

__all__ = ['AdAutoMix', 'MomentumMixClassifier', 'SaliencyMixClassifier']
