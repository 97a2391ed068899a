from .adversarial_optimizer_hook import AdversarialOptimizerHook
from .checkpoint_safety_hook import CheckpointSafetyHook
from .mix_visualization_hook import MixedSampleVisualizationHook
from .nonfinite_loss_hook import NonFiniteLossHook
from .rng_state_hook import RngStateHook

__all__ = ['AdversarialOptimizerHook', 'CheckpointSafetyHook',
           'MixedSampleVisualizationHook', 'NonFiniteLossHook', 'RngStateHook']
