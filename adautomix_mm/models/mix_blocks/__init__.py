from .attention_mix_block import AttentionMixBlock

__all__ = ['AttentionMixBlock']
