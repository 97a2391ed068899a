from .adversarial_optimizer_hook import AdversarialOptimizerHook
from .checkpoint_safety_hook import CheckpointSafetyHook
from .mix_visualization_hook import MixedSampleVisualizationHook
from .momentum_schedule_hook import MaskLossScheduleHook, MomentumScheduleHook
from .nonfinite_loss_hook import NonFiniteLossHook
from .preemption_hook import PreemptionHook, TrainingPreempted
from .rng_state_hook import RngStateHook

__all__ = [
    'AdversarialOptimizerHook', 'CheckpointSafetyHook', 'MaskLossScheduleHook',
    'MixedSampleVisualizationHook', 'MomentumScheduleHook', 'NonFiniteLossHook',
    'PreemptionHook', 'RngStateHook', 'TrainingPreempted'
]
