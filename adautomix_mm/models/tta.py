"""Test-time augmentation for this package's two-network classifiers."""
from typing import List

from mmpretrain.models import AverageClsScoreTTA
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


@MODELS.register_module()
class AverageNetworkScoresTTA(AverageClsScoreTTA):
    r"""mmpretrain's ``AverageClsScoreTTA`` that also averages every
    network's scores.

    Two-network models (AdAutoMix, AutoMix) predict ``pred_score_ema`` and
    ``pred_score_online`` beside ``pred_score`` (read by
    :class:`~adautomix_mm.evaluation.NetworkAccuracy`). mmpretrain's class
    averages only ``pred_score`` and keeps the other fields of the first
    view, so each network's accuracy would silently be that of one view;
    here every ``pred_score*`` field is :math:`\frac{1}{V}\sum_v s_v` over
    the V views, and ``pred_label`` is the argmax of the averaged
    ``pred_score`` (mmpretrain keeps the first view's label). For a
    single-network model it equals mmpretrain's class apart from that label.
    """

    def _merge_single_sample(self, data_samples: List[DataSample]):
        merged = super()._merge_single_sample(data_samples)
        for key in data_samples[0].keys():
            if key.startswith('pred_score_'):
                score = sum(s.get(key) for s in data_samples) / len(
                    data_samples)
                merged.set_field(score, key, field_type='data')
        merged.set_pred_label(merged.pred_score.argmax(dim=-1, keepdim=True))
        return merged
