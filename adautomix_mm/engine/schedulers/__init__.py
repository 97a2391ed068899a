from .group_cosine_lr import GroupCosineAnnealingLR

__all__ = ['GroupCosineAnnealingLR']
