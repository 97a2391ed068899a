"""Datasets registered into ``mmpretrain.registry.DATASETS``."""
from .embedded_fashion_mnist import EMBEDDED_ROOT, EmbeddedFashionMNIST

__all__ = ['EMBEDDED_ROOT', 'EmbeddedFashionMNIST']
