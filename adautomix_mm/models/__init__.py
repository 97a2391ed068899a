from . import classifiers, mix_blocks, utils  # noqa: F401
