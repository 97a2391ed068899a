r"""PuzzleMix (Kim, Choo & Song, ICML'20, arXiv 2009.06962).

Semantics of snu-mllab/PuzzleMix ``mixup.py`` (``mixup_graph``,
``graphcut_multi``, ``neigh_penalty``, ``mask_transport``,
``transport_image``) and ``main.py`` (saliency pass, adversarial noise).
Per batch, with saliency :math:`s` (:func:`input_saliency`), a partner
permutation :math:`\pi` and :math:`\lambda \sim Beta(\alpha, \alpha)`:

1. grid :math:`n \in` ``block_nums`` (reference :math:`2^{U\{1..4\}}`);
   unary :math:`u = \mathrm{avgpool}_{H/n}(s)` normalised to sum 1;
2. data smoothness: mean absolute neighbour differences of the
   de-normalised [0, 1] images (``neigh_size`` pooling) for the four
   (self / partner) block pairs, scaled by :math:`\beta\gamma` with
   :math:`\beta \leftarrow \beta / n / 16` and folded into unary and
   edge terms as the reference;
3. labels :math:`l \in \{0, .., L-1\}` (image share :math:`1 - l/(L-1)`),
   cost :math:`(1 - t_l) u_\pi + t_l u + \eta/n^2 \cdot (-\log
   \mathrm{Binom}(l; L-1, \lambda))` with :math:`t_l = l/(L-1)`, label cost
   :math:`(l - l')^2/(L-1)^2`, all scaled by :math:`1000 n^2` and cast to
   int32; solved exactly by alpha-beta swap (:func:`swap_labels`);
4. optional transport: greedy assignment (``n`` rounds) on
   :math:`\epsilon_t C - u \otimes [M > 0]` moves salient blocks of
   :math:`x` into its mask region, and of :math:`x_\pi` into :math:`1 - M`;
5. :math:`\tilde x = M \odot T(x) + (1 - M) \odot T'(x_\pi)`, per-sample
   labels by the mask areas.
"""
from functools import lru_cache
from math import comb
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from ..utils import args
from ..utils.graphcut import SWAP_SOLVERS, require_gco, swap_labels
from ..utils.mixing import mix_targets_by_area

# Largest cost x 1e5 that fits GCO's int32 energy terms (with headroom).
_GCO_LIMIT = 0.99 * (2**31 - 1)
OVERFLOW_MODES = ('rescale', 'error')


def neighbour_penalty(a: torch.Tensor, b: torch.Tensor, k: int):
    """Mean |a_p - b_q| between vertically / horizontally adjacent blocks
    (``a`` above/left, ``b`` below/right) of pooled images ``[B, C, m, m]``
    at the block borders (every k-th row/column), pooled along the border:
    ``([B, n-1, n], [B, n, n-1])``."""
    pv = (a[:, :, :-1, :] - b[:, :, 1:, :])[:, :, k - 1::k, :]
    ph = (a[:, :, :, :-1] - b[:, :, :, 1:])[:, :, :, k - 1::k]
    pv = F.avg_pool2d(pv.abs().mean(1), kernel_size=(1, k))
    ph = F.avg_pool2d(ph.abs().mean(1), kernel_size=(k, 1))
    return pv, ph


def transport_cost(n: int, device=None) -> torch.Tensor:
    """Squared grid distance between blocks, / (n-1)^2: ``[n^2, n^2]``."""
    return _transport_cost(n).to(device)


@lru_cache(maxsize=None)
def _transport_cost(n: int) -> torch.Tensor:
    ij = torch.stack(torch.meshgrid(torch.arange(n), torch.arange(n),
                                    indexing='ij'), -1).view(-1, 2)
    diff = (ij[:, None, :] - ij[None, :, :]).float()
    return diff.pow(2).sum(-1).div((n - 1)**2)


def mask_transport(mask: torch.Tensor, unary: torch.Tensor,
                   eps: float) -> torch.Tensor:
    r"""Where each block goes under the reference's greedy transport:
    ``source [B, n^2]``, the block moved to each position (-1: none). The
    assignment: for n rounds every
    block picks its cheapest position under :math:`\epsilon C_{ij} - u_i
    [M_j > 0]`, each position keeps its cheapest claimant, and losers pay 1
    more for the position they lost.

    As the reference, a position's fight is the minimum of ``choice * cost``
    over all rows, so rows that did not pick it count 0 and a claimant with
    a positive cost loses to them (the position stays empty). Ties, whose
    argmin index is unspecified, go to the first claimant. Only the row
    choices touch the ``[B, n^2, n^2]`` cost; the fights are ``O(B n^2)``
    scatters (the reference's dense fight was most of a CPU step).

    The rounds stop early, with the result of all n, once every loser is
    *dead* (its pick costs > 0: costs only grow, so it loses every later
    fight to the non-claimants' 0) and every sample has a winner: winners'
    rows never change, and a dead row can only win a position that all m
    rows claim (no 0 in the fight), which the sample's winner, at cost
    <= 0, then still holds.
    """
    b, n = mask.shape[0], mask.shape[-1]
    m = n * n
    occupied = (mask.reshape(b, 1, m) > 0).to(unary.dtype)
    cost = unary.reshape(b, m, 1) * occupied
    cost.neg_().add_(eps * transport_cost(n, mask.device).to(unary.dtype))
    rows = torch.arange(m, device=mask.device).expand(b, m)
    choice = cost.argmin(-1)  # [B, m]: position picked by each block
    for step in range(n):
        if step:  # only the losers' rows changed (one entry, +1)
            lb, lr = (~win).nonzero(as_tuple=True)
            choice = choice.index_put((lb, lr), cost[lb, lr].argmin(-1))
        picked = cost.gather(-1, choice.unsqueeze(-1)).squeeze(-1)
        fight = torch.full_like(picked, float('inf')).scatter_reduce(
            -1, choice, picked, 'amin')
        claims = torch.zeros_like(picked).scatter_add(
            -1, choice, torch.ones_like(picked))
        fight = torch.where(claims < m, fight.clamp(max=0), fight)
        cand = picked == fight.gather(-1, choice)
        first = torch.full_like(choice, m).scatter_reduce(
            -1, choice, torch.where(cand, rows, torch.full_like(rows, m)),
            'amin')
        win = cand & (first.gather(-1, choice) == rows)
        if step + 1 < n and bool((win | (picked > 0)).all() &
                                 win.any(-1).all()):
            break  # settled: the remaining rounds keep these winners
        cost.scatter_add_(-1, choice.unsqueeze(-1),
                          (~win).to(cost.dtype).unsqueeze(-1))
    source = torch.full((b, m + 1), -1, dtype=torch.long, device=cost.device)
    source.scatter_(-1, torch.where(win, choice, m), rows)
    return source[:, :m]


def transport_plan(source: torch.Tensor) -> torch.Tensor:
    """Dense plan ``[B, m, m]`` (plan[b, i, j] = 1: block i goes to j) of
    the ``source`` map returned by :func:`mask_transport`."""
    b, m = source.shape
    plan = torch.zeros(b, m + 1, m, device=source.device)
    rows = torch.where(source >= 0, source, m)
    plan.scatter_(1, rows.unsqueeze(1),
                  torch.ones(b, 1, m, device=source.device))
    return plan[:, :m]


def transport_image(img: torch.Tensor, source: torch.Tensor,
                    n: int) -> torch.Tensor:
    """Move the ``n x n`` blocks of ``img [B, C, H, W]``: output block j is
    input block ``source[b, j]`` (zeros where -1, as the reference's
    unassigned positions)."""
    b, c, h, w = img.shape
    bh, bw = h // n, w // n
    blocks = img.reshape(b, c, n, bh, n, bw).permute(0, 1, 3, 5, 2, 4)
    blocks = blocks.reshape(b, c, bh, bw, n * n)
    index = source.clamp(min=0).view(b, 1, 1, 1, n * n).expand_as(blocks)
    moved = blocks.gather(-1, index) * (source >= 0).view(
        b, 1, 1, 1, n * n).to(img.dtype)
    moved = moved.reshape(b, c, bh, bw, n, n).permute(0, 1, 4, 2, 5, 3)
    return moved.reshape(b, c, h, w)


@MODELS.register_module()
class PuzzleMix:
    """PuzzleMix mixer for :class:`SaliencyMixClassifier`.

    Args:
        alpha (float): :math:`\\lambda \\sim Beta(\\alpha, \\alpha)`, the
            graph-cut prior (published 1.0).
        block_nums (seq of int): grid sizes drawn uniformly per batch
            (reference (2, 4, 8, 16)); each must divide the image side.
        beta, gamma, eta (float): label smoothness, data smoothness (in [0,
            1]: keeps every edge weight >= 0, as the reference's [0, 1]
            pixels and gamma 0.5 do), prior weight (1.2, 0.5, 0.2).
        neigh_size (int): pooling of the data smoothness (4).
        n_labels (int): 2, 3 or 4 mask levels (3).
        transport (bool), t_size (int), t_eps (float): transport on; its
            block side (-1: the graph-cut grid; CIFAR command 4), cost
            weight (0.8).
        clean_lam (float): 0 (CIFAR): eval-mode saliency, clean loss
            dropped; > 0 (Tiny-ImageNet 1.0): train-mode pass kept.
        adv_p (float), adv_eps (float): probability per image set of the
            reference's adversarial noise and its L-inf radius in 0-255
            pixel units (off: 0; reference radius 10).
        solver (str): graph-cut path, 'batched' or 'per_sample'
            (identical labels; see :mod:`..utils.graphcut`).
        energy_overflow (str): when a batch's integer costs would overflow
            GCO's int32 terms (a block with more than ~21/n^2 of the
            saliency; the reference silently wraps around): 'rescale'
            (default) scales the whole energy down to fit, same minimiser
            up to integer rounding; 'error' raises.
    """

    def __init__(self,
                 alpha: float = 1.0,
                 block_nums: Sequence[int] = (2, 4, 8, 16),
                 beta: float = 1.2,
                 gamma: float = 0.5,
                 eta: float = 0.2,
                 neigh_size: int = 4,
                 n_labels: int = 3,
                 transport: bool = True,
                 t_size: int = -1,
                 t_eps: float = 0.8,
                 clean_lam: float = 0.0,
                 adv_p: float = 0.0,
                 adv_eps: float = 10.0,
                 solver: str = 'batched',
                 energy_overflow: str = 'rescale'):
        require_gco('PuzzleMix')
        for key, value in (('alpha', alpha), ('beta', beta), ('gamma', gamma),
                           ('eta', eta), ('t_eps', t_eps),
                           ('clean_lam', clean_lam), ('adv_p', adv_p),
                           ('adv_eps', adv_eps)):
            args.number('PuzzleMix', key, value)
        checks = [
            ('alpha', alpha, alpha > 0), ('beta', beta, beta >= 0),
            ('gamma', gamma, 0 <= gamma <= 1), ('eta', eta, eta >= 0),
            ('neigh_size', neigh_size,
             isinstance(neigh_size, int) and neigh_size >= 1),
            ('n_labels', n_labels, n_labels in (2, 3, 4)),
            ('transport', transport, isinstance(transport, bool)),
            ('t_size', t_size,
             isinstance(t_size, int) and (t_size == -1 or t_size >= 1)),
            ('t_eps', t_eps, t_eps >= 0),
            ('clean_lam', clean_lam, clean_lam >= 0),
            ('adv_p', adv_p, 0 <= adv_p <= 1), ('adv_eps', adv_eps,
                                                adv_eps >= 0),
            ('solver', solver, solver in SWAP_SOLVERS),
            ('energy_overflow', energy_overflow,
             energy_overflow in OVERFLOW_MODES),
            ('block_nums', block_nums,
             len(block_nums) > 0 and all(
                 isinstance(n, int) and n >= 2 for n in block_nums)),
        ]
        for key, value, ok in checks:
            if not ok:
                raise ValueError(f'PuzzleMix: invalid {key}={value!r}')
        self.alpha, self.beta, self.gamma, self.eta = alpha, beta, gamma, eta
        self.block_nums = tuple(block_nums)
        self.neigh_size, self.n_labels = neigh_size, n_labels
        self.transport, self.t_size, self.t_eps = transport, t_size, t_eps
        self.clean_lam = float(clean_lam)
        self.adv_p, self.adv_eps = adv_p, adv_eps
        self.solver = solver
        self.energy_overflow = energy_overflow
        self._adv = None

    @property
    def saliency_mode(self) -> str:
        return 'train' if self.clean_lam > 0 else 'eval'

    @property
    def needs_input_grad(self) -> bool:
        return self.adv_p > 0

    # ------------------------------------------------------ adversarial noise
    def saliency_inputs(self, inputs, mean, std):
        """Reference random start: with probability ``adv_p`` per image set
        (the batch, its partners), the saliency pass sees the batch plus
        uniform noise of radius ``adv_eps`` (clipped to valid pixels)."""
        self._adv = None
        if self.adv_p == 0:
            return inputs
        masks = torch.bernoulli(torch.full((2, ), float(self.adv_p)))
        if masks.sum() == 0:
            return inputs
        mean, std = mean.view(1, -1, 1, 1), std.view(1, -1, 1, 1)
        pixels = (inputs * std + mean) / 255.
        eps = self.adv_eps / 255.
        noisy = (pixels + torch.empty_like(pixels).uniform_(-eps, eps)).clamp(
            0, 1)
        self._adv = (bool(masks[0]), bool(masks[1]), noisy - pixels)
        return (noisy * 255. - mean) / std

    def _add_noise(self, x, noise, mean, std):
        mean, std = mean.view(1, -1, 1, 1), std.view(1, -1, 1, 1)
        pixels = ((x * std + mean) / 255. + noise).clamp(0, 1)
        return (pixels * 255. - mean) / std

    # ---------------------------------------------------------------- mixing
    def graphcut_masks(self, inputs, saliency, perm, lam, n, mean, std):
        """Graph-cut masks ``[B, 1, n, n]`` (share of the image itself) and
        the pooled normalised saliency ``[B, n, n]``."""
        b, _, h, _ = inputs.shape
        block = h // n
        neigh = min(self.neigh_size, block)
        if block % neigh:
            raise ValueError(
                f'PuzzleMix: neigh_size={self.neigh_size} must divide the '
                f'block side {block} (image {h}, block_num {n})')
        beta = self.beta / n / 16
        pooled = F.avg_pool2d(saliency.unsqueeze(1), block).squeeze(1)
        u_self = pooled / pooled.flatten(1).sum(1).clamp_min(1e-12).view(
            b, 1, 1)
        u_part = u_self[perm]
        pixels = (inputs * std.view(1, -1, 1, 1) +
                  mean.view(1, -1, 1, 1)) / 255.
        p_self = F.avg_pool2d(pixels, neigh)
        p_part = p_self[perm]
        k = block // neigh
        # index 0: partner, 1: the image itself (reference layout)
        imgs = (p_part, p_self)
        pv, ph = {}, {}
        for i in (0, 1):
            for j in (0, 1):
                v, hz = neighbour_penalty(imgs[i], imgs[j], k)
                pv[i, j] = beta * self.gamma * v
                ph[i, j] = beta * self.gamma * hz
        ua, ub = u_part.clone(), u_self.clone()
        ua[:, :-1, :] += (pv[1, 0] + pv[1, 1]) / 2
        ub[:, :-1, :] += (pv[0, 1] + pv[0, 0]) / 2
        ua[:, 1:, :] += (pv[0, 1] + pv[1, 1]) / 2
        ub[:, 1:, :] += (pv[1, 0] + pv[0, 0]) / 2
        ua[:, :, :-1] += (ph[1, 0] + ph[1, 1]) / 2
        ub[:, :, :-1] += (ph[0, 1] + ph[0, 0]) / 2
        ua[:, :, 1:] += (ph[0, 1] + ph[1, 1]) / 2
        ub[:, :, 1:] += (ph[1, 0] + ph[0, 0]) / 2
        w_v = (pv[1, 0] + pv[0, 1] - pv[1, 1] - pv[0, 0]) / 2
        w_h = (ph[1, 0] + ph[0, 1] - ph[1, 1] - ph[0, 0]) / 2
        unary, w_v, w_h, smooth = self.energy(
            ua.double().cpu().numpy(), ub.double().cpu().numpy(),
            w_v.double().cpu().numpy(), w_h.double().cpu().numpy(), lam, n)
        labels = swap_labels(unary, w_v, w_h, smooth, self.solver)
        mask = 1.0 - torch.from_numpy(labels).to(inputs) / (self.n_labels - 1)
        return mask.unsqueeze(1), u_self

    def energy(self, ua, ub, w_v, w_h, lam, n):
        """Integer energy of the reference's ``graphcut_multi`` (label l:
        image share 1 - l/(L-1))."""
        big = 1000 * n**2
        eps = 1e-8
        levels = self.n_labels - 1
        ks = np.arange(self.n_labels)
        binom = np.array([comb(levels, int(k)) for k in ks], dtype=float)
        prob = binom * lam**(levels - ks) * (1 - lam)**ks
        prior = self.eta * -np.log(prob + eps) / n**2
        t = np.linspace(0, 1, self.n_labels)
        unary = big * ((1 - t) * ua[..., None] + t * ub[..., None] + prior)
        beta = self.beta / n / 16
        w_v, w_h = big * (w_v + beta), big * (w_h + beta)
        # pyGCO multiplies the int32 unary costs and edge weights by 1e5 and
        # 1e3 (x 100 label cost) for a float label cost, in int32: a block
        # holding more than ~21/n^2 of the saliency overflows (the reference
        # then labels with wrapped-around costs).
        peak = max(np.abs(unary).max(), np.abs(w_v).max(initial=0),
                   np.abs(w_h).max(initial=0)) * 1e5
        if peak >= _GCO_LIMIT:
            if self.energy_overflow == 'error':
                raise ValueError(
                    f'PuzzleMix: graph-cut costs overflow GCO\'s int32 energy'
                    f' (eta={self.eta}, lambda={lam:.3g}, grid {n}); lower '
                    f'eta or set energy_overflow=\'rescale\'')
            scale = _GCO_LIMIT / peak
            unary, w_v, w_h = unary * scale, w_v * scale, w_h * scale
        unary = unary.astype(np.int32)
        w_v, w_h = w_v.astype(np.int32), w_h.astype(np.int32)
        smooth = ((ks[:, None] - ks[None, :])**2 / levels**2).astype(
            np.float32)
        return unary, w_v, w_h, smooth

    def __call__(self, inputs, targets, saliency, mean, std,
                 input_grad: Optional[torch.Tensor] = None):
        b, _, h, w = inputs.shape
        if h != w:
            raise ValueError(f'PuzzleMix needs square images, got {h}x{w}')
        n = self.block_nums[int(torch.randint(len(self.block_nums), ()))]
        if h % n:
            raise ValueError(f'PuzzleMix: block_nums entry {n} must divide '
                             f'the image side {h}')
        lam = float(torch.distributions.Beta(self.alpha, self.alpha).sample())
        perm = torch.randperm(b, device=inputs.device)
        mask, unary = self.graphcut_masks(inputs, saliency, perm, lam, n,
                                          mean, std)
        x1, x2 = inputs, inputs[perm]
        if self._adv is not None:
            if input_grad is None:
                raise ValueError('PuzzleMix with adv_p > 0 needs input_grad')
            adv1, adv2, noise = self._adv
            eps = self.adv_eps / 255.
            noise = (noise + (eps + 2 / 255.) * input_grad.sign()).clamp(
                -eps, eps) * float(torch.rand(()))
            if adv1:
                x1 = self._add_noise(x1, noise, mean, std)
            if adv2:
                x2 = self._add_noise(x2, noise[perm], mean, std)
            self._adv = None
        if self.transport:
            block = h // n
            t_size = min(self.t_size, block)
            t_n = n
            if t_size != -1 and t_size < block:
                if block % t_size:
                    raise ValueError(
                        f'PuzzleMix: t_size={self.t_size} must divide the '
                        f'block side {block} (block_num {n})')
                t_n = h // t_size
                mask = F.interpolate(mask, size=t_n)
                pooled = F.avg_pool2d(saliency.unsqueeze(1), t_size).squeeze(1)
                unary = pooled / pooled.flatten(1).sum(1).clamp_min(
                    1e-12).view(b, 1, 1)
            x1 = transport_image(x1, mask_transport(mask, unary, self.t_eps),
                                 t_n)
            x2 = transport_image(
                x2, mask_transport(1 - mask, unary[perm], self.t_eps), t_n)
        mask = F.interpolate(mask, size=(h, w))
        mixed = mask * x1 + (1 - mask) * x2
        masks = torch.cat([mask, 1 - mask], 1)
        perms = torch.stack([torch.arange(b, device=perm.device), perm])
        return mixed, mix_targets_by_area(targets, perms, masks)
