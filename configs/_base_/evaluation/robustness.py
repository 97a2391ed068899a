# Calibration and robustness metrics, added to a config's test evaluator by
# `python tools/test.py CFG CKPT --robustness` (this file is the default of
# --robustness; pass another file to change the list). Each entry is
# evaluated for every network the config evaluates: both networks (network=
# 'ema' and 'online') when its test_evaluator uses NetworkAccuracy, the model
# itself (network=None) otherwise. The model-aware metrics get the model from
# ModelMetricHook, which the flag adds to custom_hooks.
#
# Corruptions: Hendrycks & Dietterich, ICLR 2019 (CIFAR-10-C constants;
# preset='imagenet' for ImageNet-C's). FGSM epsilons are in 0-255 pixel units.
robustness_metrics = [
    dict(type='CalibrationError', num_bins=15),
    dict(type='CorruptionAccuracy', preset='cifar', severities=[1, 2, 3, 4, 5]),
    dict(type='OcclusionAccuracy',
         ratios=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
    dict(type='FGSMAccuracy', epsilons=[1, 2, 4, 8]),
]
