from .adversarial_optimizer_hook import AdversarialOptimizerHook
from .mix_visualization_hook import MixedSampleVisualizationHook

__all__ = ['AdversarialOptimizerHook', 'MixedSampleVisualizationHook']
