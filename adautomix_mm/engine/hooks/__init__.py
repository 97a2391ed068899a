from .checkpoint_safety_hook import CheckpointSafetyHook
from .mix_visualization_hook import MixedSampleVisualizationHook
from .momentum_schedule_hook import (AdversarialOptimizerHook,
                                     MaskLossScheduleHook, MomentumScheduleHook)
from .nonfinite_loss_hook import NonFiniteLossHook
from .rng_state_hook import RngStateHook

__all__ = [
    'AdversarialOptimizerHook', 'CheckpointSafetyHook', 'MaskLossScheduleHook',
    'MixedSampleVisualizationHook', 'MomentumScheduleHook', 'NonFiniteLossHook',
    'RngStateHook'
]
