r"""Take a loss's gradient w.r.t. some tensors now and free its graph.

The learned mixers train their Mix Block through the frozen EMA teacher:
:math:`\partial L_{gen}/\partial\phi = \partial L_{gen}/\partial M \cdot
\partial M/\partial\phi`, where the first factor is a backward through the
whole teacher. Left to the step's single backward, the teacher's saved
activations stay alive while the online network runs its passes (the
step's memory peak; on a CPU with glibc's allocator the larger peak also
costs page faults: 4-5% of an AutoMix / AdAutoMix step in
``benchmarks/step_cost.py``). :func:`early_grad`
computes :math:`g = \partial L/\partial M` right away with
``torch.autograd.grad`` (input gradient only: no parameter ``.grad`` is
touched, so DDP's reducer still sees one backward) and returns a loss with
the same value whose backward hands exactly ``g`` to ``M``; the parameter
gradients are the same numbers as without it. PyTorch has no public op that
does this, hence the few lines here.
"""
import torch


class _InjectGrad(torch.autograd.Function):
    """``value`` forward; backward gives ``inputs`` the stored ``grad``
    (times the incoming gradient, 1 for a plain sum of losses)."""

    @staticmethod
    def forward(ctx, value, inputs, grad):
        ctx.save_for_backward(grad)
        return value.clone()

    @staticmethod
    def backward(ctx, grad_out):
        (grad, ) = ctx.saved_tensors
        return None, grad * grad_out, None


def grad_leaf(source: torch.Tensor) -> torch.Tensor:
    """A leaf copy of ``source`` for :func:`early_grad` to differentiate
    against, or ``source`` itself where the early gradient cannot be exact:
    without a graph, and under autocast (a low-precision backward must see
    the loss scale, which the optimizer wrapper applies later)."""
    if not (torch.is_grad_enabled() and source.requires_grad):
        return source
    if torch.is_autocast_enabled(source.device.type):
        return source
    return source.detach().requires_grad_(True)


def early_grad(loss: torch.Tensor, leaf: torch.Tensor,
               source: torch.Tensor) -> torch.Tensor:
    """``loss``, computed from ``leaf = grad_leaf(source)``, re-attached to
    ``source``: its gradient w.r.t. ``leaf`` is taken now (the graph between
    them freed) and handed to ``source`` by the step's backward. Returns
    ``loss`` unchanged when ``grad_leaf`` returned ``source`` itself."""
    if leaf is source:
        return loss
    (grad, ) = torch.autograd.grad(loss, leaf)
    return _InjectGrad.apply(loss.detach(), source, grad)
