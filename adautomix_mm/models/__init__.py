from . import backbones, classifiers, mix_blocks, utils  # noqa: F401
from . import saliency_mixers  # noqa: F401
