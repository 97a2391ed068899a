from .mask_diagnostics import DIAGNOSTIC_KEYS, mask_diagnostics
from .mixing import (constant_masks, gather_partners, mix_linear,
                     mix_targets_by_area, mix_with_masks, sample_partners,
                     sample_ratios)
from .teacher_ema import TeacherEMA

__all__ = [
    'DIAGNOSTIC_KEYS', 'TeacherEMA', 'constant_masks', 'gather_partners',
    'mask_diagnostics', 'mix_linear', 'mix_targets_by_area', 'mix_with_masks',
    'sample_partners', 'sample_ratios'
]
