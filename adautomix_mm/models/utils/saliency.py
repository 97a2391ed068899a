r"""The one clean saliency pass of the saliency-guided mixers.

PuzzleMix (Kim et al., ICML'20; snu-mllab/PuzzleMix ``main.py`` ``train``),
Co-Mixup (Kim et al., ICLR'21; snu-mllab/Co-Mixup ``main.py``) and R-Mix
(Luu et al., arXiv 2212.04875; minhlong94/Random-Mixup ``environment.py``
``compute_saliency``) all mix with the input gradient of the clean loss

.. math:: s_b = \sqrt{\mathrm{mean}_c (\partial L / \partial x_{b,c})^2}
   \in R^{H \times W}.

The references call ``loss.backward()`` and then zero the parameter
gradients (or keep them, when the clean loss is a training term). Here the
gradient is taken with ``torch.autograd.grad`` w.r.t. the input only, so no
parameter ``.grad`` is touched inside ``loss()`` (DDP's reducer hooks fire
only in the single backward of ``update_params``); a kept clean loss is
returned and joins that backward, which gives the reference's parameter
gradients (clean + mixed, one optimizer step).
"""
from contextlib import contextmanager
from typing import Callable, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

SALIENCY_MODES = ('train', 'eval')


@contextmanager
def module_mode(module: nn.Module, training: bool):
    """Every submodule in ``training`` mode inside, each one's own mode
    restored afterwards (a frozen BN kept in eval stays in eval)."""
    modes = [(m, m.training) for m in module.modules()]
    module.train(training)
    try:
        yield
    finally:
        for m, mode in modes:
            m.training = mode


def clean_loss_per_sample(logits: torch.Tensor,
                          targets: torch.Tensor) -> torch.Tensor:
    r"""Cross-entropy :math:`-\sum_k y_k \log p_k` per sample (one-hot
    targets: the references' ``CrossEntropyLoss(reduction='none')``)."""
    return -(targets * F.log_softmax(logits.float(), dim=1)).sum(1)


def input_saliency(logits_fn: Callable[[torch.Tensor], torch.Tensor],
                   inputs: torch.Tensor,
                   targets: torch.Tensor,
                   loss_weight: float = 1.0,
                   keep_loss: bool = False
                   ) -> Tuple[torch.Tensor, torch.Tensor,
                              Optional[torch.Tensor]]:
    r"""One clean forward and the input gradient of its loss.

    ``L = loss_weight * mean_b CE(logits_fn(x)_b, y_b)``;
    returns ``(s [B, H, W], dL/dx [B, C, H, W], L or None)``: ``L`` (with its
    graph, for the caller to add to the returned losses) when ``keep_loss``,
    else ``None`` and the graph is freed. ``s`` and ``dL/dx`` carry no graph.
    The caller decides the module mode (:func:`module_mode`).
    """
    # enable_grad: the saliency exists even when the caller (a preview
    # hook, say) runs the step under no_grad
    with torch.enable_grad():
        x = inputs.detach().requires_grad_(True)
        loss = loss_weight * clean_loss_per_sample(logits_fn(x),
                                                   targets).mean()
        (grad, ) = torch.autograd.grad(
            loss, x, retain_graph=keep_loss, create_graph=False)
    saliency = grad.pow(2).mean(1).sqrt()
    return saliency, grad, (loss if keep_loss else None)
