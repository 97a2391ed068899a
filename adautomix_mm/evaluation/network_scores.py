"""Which network a metric evaluates, and how to get its logits.

Two-network models (:class:`MomentumMixClassifier`: AdAutoMix, AutoMix)
expose ``network('ema' | 'online')``; single-network classifiers are
evaluated as a whole (``network=None``).
"""
from typing import Optional

import torch

from ..models.classifiers.momentum_mix_classifier import NETWORKS


def check_network(network: Optional[str], owner: str) -> None:
    if network is not None and network not in NETWORKS:
        raise ValueError(f'{owner}: network must be None (single-network '
                         f'model) or one of {NETWORKS}, got {network!r}')


def score_key(network: Optional[str]) -> str:
    return f'pred_score_{network}' if network else 'pred_score'


def network_logits(model: torch.nn.Module, inputs: torch.Tensor,
                   network: Optional[str]) -> torch.Tensor:
    """Logits ``[B, K]`` of ``network`` of ``model`` on preprocessed
    (normalised) ``inputs``."""
    if network is None:
        return model(inputs, mode='tensor')
    if not hasattr(model, 'network'):
        raise ValueError(
            f'network={network!r} needs a two-network model (e.g. AdAutoMix); '
            f'{type(model).__name__} has a single network: use network=None')
    net = model.network(network)
    feats = net.backbone(inputs)
    if net.neck is not None:
        feats = net.neck(feats)
    return net.head(feats)
