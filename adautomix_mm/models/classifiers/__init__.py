from .adautomix import AdAutoMix
from .momentum_mix_classifier import MomentumMixClassifier

__all__ = ['AdAutoMix', 'MomentumMixClassifier']
