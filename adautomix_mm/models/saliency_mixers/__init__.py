from .comixup import CoMixup
from .puzzlemix import PuzzleMix
from .rmix import RMix

__all__ = ['CoMixup', 'PuzzleMix', 'RMix']
