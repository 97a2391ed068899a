"""Sampling of mixing ratios/partners and N-way mixing of images and labels.

Ratios and permutations use torch's global RNG, so MMEngine's ``randomness``
config (seed, ``diff_rank_seed``) decides whether ranks share them.
"""
from typing import Sequence

import torch

LAM_SAMPLERS = ('beta_normalized', 'dirichlet')


def sample_ratios(n: int, alpha: float, sampler: str,
                  device=None) -> torch.Tensor:
    r"""Mixing ratios :math:`\lambda \in \Delta^{N-1}` as a ``[N]`` tensor.

    * N = 2 (both samplers): :math:`\lambda \sim Beta(\alpha, \alpha)`,
      returned as ``[lam, 1 - lam]``.
    * ``'beta_normalized'`` (reference, N >= 3): :math:`\lambda_i = b_i /
      \sum_j b_j` with :math:`b_i \sim Beta(\alpha, \alpha)` i.i.d.
    * ``'dirichlet'`` (N >= 3): :math:`\lambda \sim Dir(\alpha, ..., \alpha)`.
    """
    if sampler not in LAM_SAMPLERS:
        raise ValueError(f'lam_sampler must be one of {LAM_SAMPLERS}, '
                         f'got {sampler!r}')
    conc = torch.full((n, ), float(alpha))
    if n == 2:
        lam = torch.distributions.Beta(conc[0], conc[1]).sample()
        ratios = torch.stack([lam, 1 - lam])
    elif sampler == 'beta_normalized':
        b = torch.distributions.Beta(conc, conc).sample()
        ratios = b / b.sum()
    else:
        ratios = torch.distributions.Dirichlet(conc).sample()
    return ratios.to(device)


def sample_partners(n: int, batch_size: int, keep_first: bool,
                    device=None) -> torch.Tensor:
    """``[N, B]`` index rows: image i of sample b is ``x[perms[i, b]]``.

    With ``keep_first`` the first row is the identity (the reference's N = 2
    layout: the batch itself mixed with one shuffled copy); otherwise every
    row is an independent random permutation (the reference's N >= 3 layout).
    """
    rows = [torch.randperm(batch_size) for _ in range(n)]
    if keep_first:
        rows[0] = torch.arange(batch_size)
    return torch.stack(rows).to(device)


def gather_partners(x: torch.Tensor, perms: torch.Tensor) -> torch.Tensor:
    """``x[perms]`` laid out as ``[B, N, ...]``."""
    return x[perms].transpose(0, 1)


def mix_with_masks(x: torch.Tensor, perms: torch.Tensor,
                   masks: torch.Tensor) -> torch.Tensor:
    r""":math:`\tilde x = \sum_i M_i \odot x[\pi_i]` for masks ``[B, N, H, W]``."""
    return (masks.unsqueeze(2).to(x.dtype) * gather_partners(x, perms)).sum(1)


def mix_linear(x: torch.Tensor, perms: torch.Tensor,
               lam: torch.Tensor) -> torch.Tensor:
    r""":math:`\sum_i \lambda_i x[\pi_i]` (N-way linear mixup); also mixes
    one-hot / soft labels ``[B, K]`` into soft targets."""
    return torch.einsum('n,nb...->b...', lam.to(x.dtype), x[perms])


def constant_masks(lam: torch.Tensor, batch_size: int,
                   size: Sequence[int]) -> torch.Tensor:
    """Masks ``[B, N, H, W]`` equal to ``lam_i`` everywhere (linear mixup)."""
    n = lam.numel()
    return lam.view(1, n, 1, 1).expand(batch_size, n, int(size[0]),
                                       int(size[1])).clone()


def mix_targets_by_area(targets: torch.Tensor, perms: torch.Tensor,
                        masks: torch.Tensor) -> torch.Tensor:
    r"""Per-sample area-weighted labels for masks ``[B, N, H, W]``.

    :math:`\tilde y_b = \sum_i a_{b,i}\, y_{\pi_i(b)}` with
    :math:`a_{b,i} = \mathrm{mean}_{hw} M_{b,i}` the share of sample b's
    pixels taken from image i (masks summing to 1 per pixel give rows of a
    summing to 1). ``targets`` are one-hot or soft labels ``[B, K]``.
    """
    if masks.dim() != 4 or masks.shape[:2] != (perms.shape[1], perms.shape[0]):
        raise ValueError(
            f'masks must be [B, N, H, W] = [{perms.shape[1]}, {perms.shape[0]}'
            f', H, W] for perms of shape {tuple(perms.shape)}, got '
            f'{tuple(masks.shape)}')
    areas = masks.flatten(2).mean(-1).to(targets.dtype)  # [B, N]
    return torch.einsum('bn,bnk->bk', areas, gather_partners(targets, perms))
