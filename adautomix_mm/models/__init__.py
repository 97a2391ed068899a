from . import backbones, classifiers, mix_blocks, utils  # noqa: F401
