from .adversarial_optimizer_hook import AdversarialOptimizerHook
from .checkpoint_safety_hook import CheckpointSafetyHook
from .mix_visualization_hook import MixedSampleVisualizationHook
from .momentum_schedule_hook import MaskLossScheduleHook, MomentumScheduleHook
from .nonfinite_loss_hook import DivergenceError, NonFiniteLossHook
from .preemption_hook import PreemptionHook, TrainingPreempted
from .resume_lr_hook import ResumeLrScaleHook
from .rng_state_hook import RngStateHook

__all__ = [
    'AdversarialOptimizerHook', 'CheckpointSafetyHook', 'DivergenceError',
    'MaskLossScheduleHook', 'MixedSampleVisualizationHook',
    'MomentumScheduleHook', 'NonFiniteLossHook', 'PreemptionHook',
    'ResumeLrScaleHook', 'RngStateHook', 'TrainingPreempted'
]
