"""Narrow fixes for traps of MMEngine 0.10.x on recent PyTorch and on CPU.

Nothing here runs on import: the train/test entry points of this package call
these functions explicitly, so importing ``adautomix_mm`` (e.g. through
``custom_imports``) never changes global behaviour.
"""
from .checkpoint import (MMENGINE_SAFE_GLOBALS, load_weights_only,
                         safe_checkpoint_loading, trust_checkpoints_while_loading,
                         trusted_checkpoint_loading)
from .distributed import finish_distributed, prepare_cpu_distributed

__all__ = ['MMENGINE_SAFE_GLOBALS', 'finish_distributed', 'load_weights_only',
           'prepare_cpu_distributed', 'safe_checkpoint_loading',
           'trust_checkpoints_while_loading', 'trusted_checkpoint_loading']
