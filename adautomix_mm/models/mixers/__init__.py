"""Saliency-guided mixers (registered in mmpretrain's MODELS) used by a
classifier that computes the clean saliency (see the package README)."""
from .comixup import CoMixup

__all__ = ['CoMixup']
