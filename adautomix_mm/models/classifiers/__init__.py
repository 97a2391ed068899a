from .adautomix import AdAutoMix
from .automix import AutoMix
from .manifoldmix import ManifoldMixClassifier
from .momentum_mix_classifier import MomentumMixClassifier
from .saliency_mix_classifier import SaliencyMixClassifier

__all__ = [
    'AdAutoMix', 'AutoMix', 'ManifoldMixClassifier', 'MomentumMixClassifier',
    'SaliencyMixClassifier'
]
