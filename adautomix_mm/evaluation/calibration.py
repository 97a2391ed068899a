"""Expected calibration error (Guo et al., "On Calibration of Modern
Neural Networks", ICML 2017), for one network of a model.

mmpretrain has no calibration metric, so this small one is written here.
"""
from typing import List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmpretrain.registry import METRICS

from .network_scores import check_network, score_key


def expected_calibration_error(scores: torch.Tensor, labels: torch.Tensor,
                               num_bins: int = 15) -> float:
    r"""ECE of class probabilities ``scores`` [N, K] against ``labels`` [N].

    With confidence :math:`c_i = \max_k p_{ik}`, prediction
    :math:`\hat y_i = \arg\max_k p_{ik}` and ``num_bins`` equal-width bins
    :math:`B_m = ((m-1)/M, m/M]` of confidence,

    .. math::
        \mathrm{ECE} = \sum_m \frac{|B_m|}{N}\,
        \bigl|\mathrm{acc}(B_m) - \mathrm{conf}(B_m)\bigr|

    (a confidence of exactly 0 goes to the first bin). Returns a fraction in
    [0, 1].
    """
    if num_bins < 1:
        raise ValueError(f'num_bins must be >= 1, got {num_bins}')
    conf, pred = scores.float().max(dim=1)
    correct = (pred == labels.view(-1)).float()
    bins = (conf * num_bins).ceil().long().clamp(1, num_bins) - 1
    n = conf.numel()
    ece = torch.zeros((), dtype=torch.float64)
    for m in range(num_bins):
        in_bin = bins == m
        count = int(in_bin.sum())
        if count:
            gap = correct[in_bin].mean() - conf[in_bin].mean()
            ece += count / n * gap.abs().double()
    return float(ece)


@METRICS.register_module()
class CalibrationError(BaseMetric):
    """Expected calibration error (ECE, in percent) of one network.

    Uses the softmax scores the model already predicts: ``pred_score`` for
    single-network classifiers (``network=None``), ``pred_score_ema`` /
    ``pred_score_online`` for two-network models such as AdAutoMix (as
    :class:`NetworkAccuracy`). The result key is ``<prefix>/ece``, prefix
    ``calibration`` or ``calibration_<network>``.

    Args:
        num_bins (int): equal-width confidence bins (15, as Guo et al.).
        network (str, optional): None, 'ema' or 'online'.
    """
    default_prefix = 'calibration'

    def __init__(self,
                 num_bins: int = 15,
                 network: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        if not isinstance(num_bins, int) or num_bins < 1:
            raise ValueError(f'CalibrationError: num_bins must be a positive '
                             f'int, got {num_bins!r}')
        check_network(network, 'CalibrationError')
        super().__init__(
            collect_device=collect_device,
            prefix=prefix or (f'calibration_{network}'
                              if network else 'calibration'))
        self.num_bins = num_bins
        self.network = network
        self.score_key = score_key(network)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if self.score_key not in sample:
                raise KeyError(
                    f'CalibrationError(network={self.network!r}) needs '
                    f'`{self.score_key}` in the predictions (network=None for '
                    "single-network classifiers, 'ema'/'online' for "
                    'two-network models such as AdAutoMix).')
            self.results.append(
                dict(score=sample[self.score_key].cpu(),
                     label=sample['gt_label'].cpu()))

    def compute_metrics(self, results: List[dict]) -> dict:
        scores = torch.stack([r['score'] for r in results])
        labels = torch.cat([r['label'].view(-1)[:1] for r in results])
        return dict(ece=100 * expected_calibration_error(
            scores, labels, self.num_bins))
