from .adversarial_optimizer_hook import AdversarialOptimizerHook
from .mix_visualization_hook import MixedSampleVisualizationHook
from .momentum_schedule_hook import MaskLossScheduleHook, MomentumScheduleHook

__all__ = [
    'AdversarialOptimizerHook', 'MaskLossScheduleHook',
    'MixedSampleVisualizationHook', 'MomentumScheduleHook'
]
