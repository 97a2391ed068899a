from .checkpoint_safety_hook import CheckpointSafetyHook
from .epoch_time_hook import EpochTimeEstimateHook
from .nonfinite_loss_hook import DivergenceError, NonFiniteLossHook
from .preemption_hook import PreemptionHook, TrainingPreempted
from .readable_log_hook import ReadableLogHook
from .resume_lr_hook import ResumeLrScaleHook
from .rng_state_hook import RngStateHook

__all__ = [
    'CheckpointSafetyHook', 'DivergenceError', 'EpochTimeEstimateHook',
    'NonFiniteLossHook', 'PreemptionHook', 'ReadableLogHook',
    'ResumeLrScaleHook', 'RngStateHook', 'TrainingPreempted'
]
