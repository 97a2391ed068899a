from .mix_visualization_hook import MixedSampleVisualizationHook
from .momentum_schedule_hook import (AdversarialOptimizerHook,
                                     MaskLossScheduleHook, MomentumScheduleHook)

__all__ = [
    'AdversarialOptimizerHook', 'MaskLossScheduleHook',
    'MixedSampleVisualizationHook', 'MomentumScheduleHook'
]
