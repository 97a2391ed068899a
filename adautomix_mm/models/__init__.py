from . import augments, backbones, classifiers, mix_blocks, utils  # noqa: F401,E501
