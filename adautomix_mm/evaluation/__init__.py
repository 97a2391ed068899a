from .calibration import CalibrationError, expected_calibration_error
from .corruptions import corrupt
from .network_accuracy import NetworkAccuracy
from .robustness import (CorruptionAccuracy, FGSMAccuracy, ModelMetric,
                         ModelMetricHook, OcclusionAccuracy)

__all__ = [
    'NetworkAccuracy', 'CalibrationError', 'expected_calibration_error',
    'corrupt', 'CorruptionAccuracy', 'OcclusionAccuracy', 'FGSMAccuracy',
    'ModelMetric', 'ModelMetricHook'
]
