"""Batch mixers MMPretrain lacks, registered in its ``BATCH_AUGMENTS`` (same
``__call__(batch_inputs, batch_score)`` interface as its Mixup/CutMix)."""
from .fmix import FMix
from .gridmix import GridMix
from .resizemix import PaperResizeMix
from .saliencymix import SaliencyMix

__all__ = ['FMix', 'GridMix', 'PaperResizeMix', 'SaliencyMix']
