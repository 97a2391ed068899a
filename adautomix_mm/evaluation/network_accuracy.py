"""Top-k accuracy of one named network of a two-network model."""
from typing import Optional, Sequence, Union

from mmpretrain.evaluation import Accuracy
from mmpretrain.registry import METRICS

NETWORKS = ('ema', 'online')


@METRICS.register_module()
class NetworkAccuracy(Accuracy):
    """mmpretrain's ``Accuracy`` on the scores of the EMA teacher or of the
    online network.

    Models such as :class:`AdAutoMix` put both networks' softmax scores in
    every prediction (``pred_score_ema``, ``pred_score_online``). The metric
    names carry the network: ``accuracy_ema/top1``, ``accuracy_online/top5``.

    Args:
        network (str): 'ema' (teacher, the deployable model) or 'online'.
        topk, thrs, collect_device: as mmpretrain's ``Accuracy``.
        prefix (str, optional): defaults to ``accuracy_<network>``.
    """

    def __init__(self,
                 network: str = 'ema',
                 topk: Union[int, Sequence[int]] = (1, ),
                 thrs: Union[float, Sequence[Union[float, None]], None] = 0.,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        if network not in NETWORKS:
            raise ValueError(f'NetworkAccuracy: network must be one of '
                             f'{NETWORKS}, got {network!r}')
        super().__init__(
            topk=topk,
            thrs=thrs,
            collect_device=collect_device,
            prefix=prefix or f'accuracy_{network}')
        self.network = network
        self.score_key = f'pred_score_{network}'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if self.score_key not in sample:
                raise KeyError(
                    f'NetworkAccuracy(network={self.network!r}) needs '
                    f'`{self.score_key}` in the predictions; the model '
                    'must be an EMA-teacher model such as AdAutoMix. Use '
                    "type='Accuracy' for single-network classifiers.")
            self.results.append(
                dict(
                    pred_score=sample[self.score_key].cpu(),
                    gt_label=sample['gt_label'].cpu()))
