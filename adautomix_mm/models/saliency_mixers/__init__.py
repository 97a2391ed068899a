from .puzzlemix import PuzzleMix
from .rmix import RMix

__all__ = ['PuzzleMix', 'RMix']
