from .checkpoint_safety_hook import CheckpointSafetyHook
from .epoch_time_hook import EpochTimeEstimateHook
from .mix_visualization_hook import MixedSampleVisualizationHook
from .momentum_schedule_hook import (AdversarialOptimizerHook,
                                     MaskLossScheduleHook, MomentumScheduleHook)
from .nonfinite_loss_hook import DivergenceError, NonFiniteLossHook
from .preemption_hook import PreemptionHook, TrainingPreempted
from .readable_log_hook import ReadableLogHook
from .resume_lr_hook import ResumeLrScaleHook
from .rng_state_hook import RngStateHook

__all__ = [
    'AdversarialOptimizerHook', 'CheckpointSafetyHook', 'DivergenceError',
    'EpochTimeEstimateHook', 'MaskLossScheduleHook',
    'MixedSampleVisualizationHook', 'MomentumScheduleHook', 'NonFiniteLossHook',
    'PreemptionHook', 'ReadableLogHook', 'ResumeLrScaleHook', 'RngStateHook',
    'TrainingPreempted'
]
