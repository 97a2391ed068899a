r"""Replaying a batch's update of BatchNorm running statistics.

The reference AdAutoMix runs its EMA teacher in train mode on the clean
batch 1 + N times per iteration (once for the generator's features, N times
on permuted copies for the cosine term, after the mixed-sample pass). The
N extra outputs are permutations of the first, so AdAutoMix here makes one
clean pass; but each of the reference's passes also moved the teacher's BN
running statistics. With these helpers the N clean updates are applied in
closed form after the mixed pass, so the teacher's BN statistics (used when
the teacher is evaluated) follow the reference's sequence
clean, mixed, clean x N.

A BN layer's update with batch statistic :math:`s` is
:math:`r \leftarrow (1-\mu) r + \mu s` (``momentum`` :math:`\mu`) or the
cumulative average :math:`r \leftarrow r + (s - r)/n` (``momentum=None``,
:math:`n` = ``num_batches_tracked``). :math:`s` is recovered from the
running values before and after the clean pass, so whatever statistic the
layer used (including SyncBN's global one) is replayed. No maintained
library replays BN updates, hence this module.
"""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

Stats = Tuple[torch.Tensor, torch.Tensor]


def running_norm_layers(module: nn.Module) -> List[_BatchNorm]:
    """BN layers of ``module`` that track running statistics."""
    return [m for m in module.modules() if isinstance(m, _BatchNorm)
            and m.track_running_stats and m.running_mean is not None]


@torch.no_grad()
def snapshot(layers: List[_BatchNorm]) -> List[Tuple[torch.Tensor, ...]]:
    """Copies of ``(running_mean, running_var, num_batches_tracked)``."""
    return [(m.running_mean.clone(), m.running_var.clone(),
             m.num_batches_tracked.clone()) for m in layers]


@torch.no_grad()
def batch_stats_since(layers: List[_BatchNorm],
                      before: List[Tuple[torch.Tensor, ...]]
                      ) -> List[Optional[Stats]]:
    """The (mean, unbiased var) each layer's single update since ``before``
    used; ``None`` for a layer that did not run. Exactly one train-mode
    pass must lie between ``before`` and now."""
    stats = []
    for m, (mean0, var0, n0) in zip(layers, before):
        steps = int(m.num_batches_tracked - n0)
        if steps == 0:
            stats.append(None)
            continue
        if steps != 1:
            raise RuntimeError(f'{type(m).__name__} was updated {steps} times '
                               'since the snapshot; expected one pass')
        if m.momentum is None:
            n = float(m.num_batches_tracked)
            stats.append((mean0 + n * (m.running_mean - mean0),
                          var0 + n * (m.running_var - var0)))
        else:
            mu = float(m.momentum)
            stats.append(((m.running_mean - (1 - mu) * mean0) / mu,
                          (m.running_var - (1 - mu) * var0) / mu))
    return stats


@torch.no_grad()
def replay_updates(layers: List[_BatchNorm], stats: List[Optional[Stats]],
                   times: int) -> None:
    """Apply each layer's running-statistics update with ``stats`` ``times``
    more times, as ``times`` further train-mode passes on the same batch
    statistics would.

    May run while a train-mode pass through ``layers`` awaits its backward:
    the statistics are updated through ``.data``, which leaves autograd's
    version counters alone. Autograd records the running statistics as
    inputs of the batch-norm op, but its train-mode backward reads only the
    batch's own saved mean and variance, so gradients do not change.
    """
    for m, s in zip(layers, stats):
        if s is None:
            continue
        mean, var = s
        for _ in range(times):
            m.num_batches_tracked += 1
            mu = 1.0 / float(m.num_batches_tracked) if m.momentum is None \
                else float(m.momentum)
            m.running_mean.data.mul_(1 - mu).add_(mu * mean)
            m.running_var.data.mul_(1 - mu).add_(mu * var)
