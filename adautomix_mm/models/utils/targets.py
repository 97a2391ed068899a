"""Targets of the classifiers that mix their batch themselves: float
``[B, K]`` one-hot targets, and the one-image batch that cannot be mixed."""
import logging
from typing import List, Optional

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.structures import DataSample


def onehot_targets(data_samples: List[DataSample], num_classes: Optional[int],
                   owner: str, device=None) -> torch.Tensor:
    """The samples' ``gt_score`` (soft targets from the data preprocessor)
    if they carry one, else one-hot ``gt_label`` over ``num_classes``
    (``head.num_classes``), with an error naming a label outside
    ``[0, num_classes)``."""
    if 'gt_score' in data_samples[0]:
        return torch.stack([s.gt_score for s in data_samples]).float().to(
            device)
    if num_classes is None:
        raise ValueError(
            f'{owner} needs `head.num_classes` (or one-hot `gt_score` from '
            'the data preprocessor) to mix labels')
    labels = torch.cat([s.gt_label for s in data_samples]).to(device)
    bad = labels[(labels < 0) | (labels >= num_classes)]
    if bad.numel():
        raise ValueError(
            f'label {int(bad[0])} is outside [0, {num_classes}) of '
            f'`head.num_classes={num_classes}` in {owner}: set '
            'model.head.num_classes to the number of classes of the dataset '
            '(labels 0..K-1).')
    return F.one_hot(labels, num_classes).float()


def warn_unmixed_batch(model, batch_size: int, method: str) -> bool:
    """A batch of one image has no partner to mix with: ``method`` then
    trains on the unmixed image. Warned once per model (the last batch of
    an epoch can hold one image when ``drop_last=False``); returns whether
    the batch is of one image."""
    if batch_size > 1:
        return False
    if not getattr(model, '_warned_unmixed_batch', False):
        model._warned_unmixed_batch = True
        print_log(
            f'{method}: a training batch holds {batch_size} image, which has '
            'no partner to mix with, so this step trains on the unmixed '
            'image (warned once). Use train_dataloader.batch_size >= 2, and '
            'drop_last=True when the last batch of an epoch can hold one '
            'image.', logger='current', level=logging.WARNING)
    return True
