r"""Cheap summaries of a learned mixer's masks, logged as training scalars.

For masks :math:`M \in [0, 1]^{B \times N \times H \times W}` (summing to 1
over the N images at every pixel) and ratios :math:`\lambda`:

* ``mask_spatial_range`` :math:`= \mathrm{mean}_{b,i}\,(\max_{p} M_{b,i,p} -
  \min_{p} M_{b,i,p})`: 0 for masks that are constant over the image
  (linear mixup), 1 for hard cut-and-paste masks.
* ``mask_entropy`` :math:`= \mathrm{mean}_{b,p}\,(-\sum_i M_{b,i,p}
  \log M_{b,i,p})` in nats (0 log 0 = 0): 0 for one-hot pixels,
  :math:`\log N` for uniform ones.
* ``mask_share_err`` :math:`= \mathrm{mean}_{b,i}\,|\mathrm{mean}_p M_{b,i,p}
  - \lambda_{(b,)i}|`: how far an image's pixel share is from its label
  weight.
* ``mask_fallback_rate``: the fraction of samples whose masks were the
  constant-:math:`\lambda` fallback (one flag for the whole batch, or one per
  sample); averaged over a logging interval it is the fraction of iterations.

No maintained library computes these mask statistics, hence the few lines
here. They are returned without gradient, so a classifier can put them in its
``loss()`` dict: MMEngine sums only keys containing ``'loss'`` and logs the
others as scalars every logging interval.
"""
from typing import Dict, Union

import torch

DIAGNOSTIC_KEYS = ('mask_spatial_range', 'mask_entropy', 'mask_share_err',
                   'mask_fallback_rate')


@torch.no_grad()
def mask_diagnostics(masks: torch.Tensor, lam: torch.Tensor,
                     fallback: Union[bool, torch.Tensor] = False
                     ) -> Dict[str, torch.Tensor]:
    """Scalar (0-dim, fp32, no-grad) mask statistics under
    :data:`DIAGNOSTIC_KEYS`.

    Args:
        masks: ``[B, N, H, W]`` masks.
        lam: ratios ``[N]`` (shared by the batch) or ``[B, N]``.
        fallback: whether the batch used the constant-ratio fallback masks
            (bool), or one flag per sample (bool tensor ``[B]``).
    """
    if masks.dim() != 4:
        raise ValueError(f'mask_diagnostics expects masks [B, N, H, W], got '
                         f'shape {tuple(masks.shape)}')
    b, n = masks.shape[:2]
    m = masks.detach().float().flatten(2)  # [B, N, HW]
    lam = torch.as_tensor(lam).detach().to(m)
    if lam.shape == (n, ):
        lam = lam.view(1, n)
    elif lam.shape != (b, n):
        raise ValueError(f'mask_diagnostics: lam must have shape ({n},) or '
                         f'({b}, {n}), got {tuple(lam.shape)}')
    fb = torch.as_tensor(fallback, device=m.device)
    if fb.dim() == 0:
        fb = fb.expand(b)
    elif fb.shape != (b, ):
        raise ValueError(f'mask_diagnostics: fallback must be a bool or a '
                         f'[{b}] tensor, got shape {tuple(fb.shape)}')
    spatial_range = (m.amax(-1) - m.amin(-1)).mean()
    entropy = -torch.special.xlogy(m, m).sum(1).mean()
    share_err = (m.mean(-1) - lam).abs().mean()
    return dict(
        mask_spatial_range=spatial_range,
        mask_entropy=entropy,
        mask_share_err=share_err,
        mask_fallback_rate=fb.float().mean())
