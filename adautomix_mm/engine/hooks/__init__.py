from .adversarial_optimizer_hook import AdversarialOptimizerHook
from .epoch_time_hook import EpochTimeEstimateHook
from .mix_visualization_hook import MixedSampleVisualizationHook
from .momentum_schedule_hook import MaskLossScheduleHook, MomentumScheduleHook
from .readable_log_hook import ReadableLogHook
from .resume_lr_hook import ResumeLrScaleHook

__all__ = [
    'AdversarialOptimizerHook', 'EpochTimeEstimateHook', 'MaskLossScheduleHook',
    'MixedSampleVisualizationHook', 'MomentumScheduleHook', 'ReadableLogHook',
    'ResumeLrScaleHook'
]
