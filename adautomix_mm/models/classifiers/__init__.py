from .adautomix import AdAutoMix
from .automix import AutoMix
from .momentum_mix_classifier import MomentumMixClassifier

__all__ = ['AdAutoMix', 'AutoMix', 'MomentumMixClassifier']
