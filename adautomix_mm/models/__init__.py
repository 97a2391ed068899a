from . import (augments, backbones, classifiers, mix_blocks,  # noqa: F401
               saliency_mixers, tta, utils)
