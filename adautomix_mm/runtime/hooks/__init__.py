from .checkpoint_safety_hook import CheckpointSafetyHook
from .nonfinite_loss_hook import DivergenceError, NonFiniteLossHook
from .rng_state_hook import RngStateHook

__all__ = [
    'CheckpointSafetyHook', 'DivergenceError', 'NonFiniteLossHook',
    'RngStateHook'
]
