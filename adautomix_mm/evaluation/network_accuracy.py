"""Top-k accuracy of one named network of a two-network model."""
from typing import Optional, Sequence, Union

from mmpretrain.evaluation import Accuracy
from mmpretrain.registry import METRICS

from ..models.utils.args import choice
from .network_scores import NETWORKS
HEADS = ('one', 'mix')


@METRICS.register_module()
class NetworkAccuracy(Accuracy):
    """mmpretrain's ``Accuracy`` on the scores of the EMA teacher or of the
    online network, through its one-hot head or its mixup head.

    Models such as :class:`AdAutoMix` put both networks' softmax scores in
    every prediction (``pred_score_ema``, ``pred_score_online``; with a
    separate mix head also ``pred_score_ema_mix``, ``pred_score_online_mix``).
    The metric names carry the network and head: ``accuracy_ema/top1``
    (one-hot head, the deployable model), ``accuracy_online/top5``,
    ``accuracy_ema_mix/top1``. The reference evaluates all four heads
    (``acc_one_k``, ``acc_one_q``, ``acc_mix_k``, ``acc_mix_q``) and its
    tables take the best of them.

    Args:
        network (str): 'ema' (teacher, the deployable model) or 'online'.
        head (str): 'one' (the one-hot head ``head``, default) or 'mix'
            (the ``mix_head``).
        topk, thrs, collect_device: as mmpretrain's ``Accuracy``.
        prefix (str, optional): defaults to ``accuracy_<network>`` and
            ``accuracy_<network>_mix``.
    """

    def __init__(self,
                 network: str = 'ema',
                 head: str = 'one',
                 topk: Union[int, Sequence[int]] = (1, ),
                 thrs: Union[float, Sequence[Union[float, None]], None] = 0.,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        choice('NetworkAccuracy', 'network', network, NETWORKS)
        choice('NetworkAccuracy', 'head', head, HEADS)
        name = network if head == 'one' else f'{network}_mix'
        super().__init__(
            topk=topk,
            thrs=thrs,
            collect_device=collect_device,
            prefix=prefix or f'accuracy_{name}')
        self.network = network
        self.head = head
        self.score_key = f'pred_score_{name}'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if self.score_key not in sample:
                if self.head == 'mix':
                    raise KeyError(
                        f'NetworkAccuracy(head=\'mix\') needs '
                        f'`{self.score_key}` in the predictions: the model '
                        'must have a separate `mix_head` (without one the '
                        'mix head is the one-hot head; use head=\'one\').')
                raise KeyError(
                    f'NetworkAccuracy(network={self.network!r}) needs '
                    f'`{self.score_key}` in the predictions; the model '
                    'must be an EMA-teacher model such as AdAutoMix. Use '
                    "type='Accuracy' for single-network classifiers.")
            self.results.append(
                dict(
                    pred_score=sample[self.score_key].cpu(),
                    gt_label=sample['gt_label'].cpu()))
