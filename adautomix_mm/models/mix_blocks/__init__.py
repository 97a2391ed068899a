from .attention_mix_block import AttentionMixBlock
from .pixel_mix_block import PixelMixBlock

__all__ = ['AttentionMixBlock', 'PixelMixBlock']
