"""Add the calibration/robustness metrics to a config, once per network."""
import copy
from typing import List, Optional, Tuple

from mmengine.config import Config


def evaluated_networks(evaluator) -> Tuple[Optional[str], ...]:
    """('ema', 'online') if ``evaluator`` uses NetworkAccuracy (a two-network
    model), else (None, ): the networks the config already evaluates."""
    metrics = evaluator if isinstance(evaluator, (list, tuple)) else \
        [evaluator]
    nets = [m.get('network', 'ema') for m in metrics
            if m.get('type') == 'NetworkAccuracy']
    return tuple(dict.fromkeys(nets)) if nets else (None, )


def robustness_metrics(metric_cfgs: List[dict],
                       networks: Tuple[Optional[str], ...]) -> List[dict]:
    out = []
    for net in networks:
        for m in metric_cfgs:
            m = copy.deepcopy(dict(m))
            m['network'] = net
            out.append(m)
    return out


def add_robustness_metrics(cfg: Config, metrics_file: str) -> None:
    """Append the metrics listed in ``metrics_file`` (``robustness_metrics``)
    to ``cfg.test_evaluator`` for each evaluated network, and
    ``ModelMetricHook`` to ``cfg.custom_hooks``."""
    spec = Config.fromfile(metrics_file)
    if 'robustness_metrics' not in spec:
        raise KeyError(f'{metrics_file} must define `robustness_metrics` (a '
                       'list of metric configs)')
    evaluator = cfg.test_evaluator
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        raise ValueError('--robustness expects test_evaluator to be a metric '
                         'dict or a list of them')
    current = list(evaluator) if isinstance(evaluator, (list, tuple)) \
        else [evaluator]
    added = robustness_metrics(spec.robustness_metrics,
                               evaluated_networks(current))
    cfg.test_evaluator = current + added
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') == 'ModelMetricHook' for h in hooks):
        hooks.append(dict(type='ModelMetricHook'))
    cfg.custom_hooks = hooks
