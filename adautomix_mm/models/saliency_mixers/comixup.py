"""Co-Mixup mixer (Kim et al., "Co-Mixup: Saliency Guided Joint Mixup with
Supermodular Diversity", ICLR'21 oral; official code snu-mllab/Co-Mixup
``main.py`` (saliency, compatibility), ``mixup.py`` (``mixup_process``),
``match.py`` (optimisation))."""

import numpy as np
import torch
import torch.nn.functional as F

from mmpretrain.registry import MODELS
from ..utils.comixup_solver import (COMIXUP_SOLVERS, HARD_THRES_MODES,
                                    THRES_TYPES, compatibility, draw_prior,
                                    import_gco, optimise_partitions,
                                    partition_problem)
from ..utils.mixing import mix_targets_by_area


def _number(name, value, low=None, integer=False, low_open=False):
    ok = not isinstance(value, bool) and isinstance(
        value, int if integer else (int, float))
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if not ok:
        kind = 'an int' if integer else 'a number'
        bound = '' if low is None else f' {">" if low_open else ">="} {low}'
        raise ValueError(f'{name} must be {kind}{bound}, got {value!r}')
    return value


@MODELS.register_module()
class CoMixup:
    r"""Co-Mixup: batch-level mask optimisation on the clean saliency.

    Per partition of ``m_part`` consecutive samples (the reference's
    ``mixup_process``): block saliency on an ``m_block_num``\ :sup:`2` grid
    (``-1``: :math:`2^k`, :math:`k \sim U\{1..4\}` per batch), compatibility
    :math:`A` from the distance of the saliency peaks (``omega``), Dirichlet
    prior (``alpha``, ``eta``), then the outputs' labellings minimising
    saliency + ``beta`` smoothness + ``gamma`` supermodular diversity
    thresholded at ``thres`` (``thres_type``) over ``niter`` outer sweeps
    (extra 50/50 labels from the second sweep, ``set_resolve`` at sweep
    ``niter - 2``, early stop), see
    :mod:`adautomix_mm.models.utils.comixup_solver`. Output :math:`i` is
    :math:`\tilde x_i = \sum_j M_{ij} \odot x_j` (masks nearest-upsampled),
    :math:`\tilde y_i = \sum_j \mathrm{area}(M_{ij})\, y_j`.

    The classifier runs the saliency pass in train mode and keeps the clean
    loss with weight ``clean_lam`` (reference: ``2 clean_lam CE / K``, in
    the update). Inputs must be square with a side divisible by the block
    number (the reference takes the block size from the width alone).

    Options (reference defaults, official CIFAR-100 command):
    ``hard_thres_mode``: ``'reference'`` (the official code's hard
    threshold, :math:`((Ap > \tau) \odot A)\,p`) or ``'paper'``
    (:math:`[Ap > \tau] \odot Ap`); ``solver``: ``'fast'`` (default) or
    ``'gco_loop'`` (one ``gco.cut_grid_graph`` per output), identical
    labellings; ``prune_labels``: remove dominated labels before the swap
    (faster, labellings may differ from the reference's; off). See
    :mod:`adautomix_mm.models.utils.comixup_solver`.
    """

    saliency_mode = 'train'

    def __init__(self, alpha: float = 2.0, m_part: int = 20,
                 m_block_num: int = 4, beta: float = 0.32,
                 gamma: float = 1.0, thres: float = 0.83,
                 thres_type: str = 'hard', eta: float = 0.05,
                 omega: float = 0.001, set_resolve: bool = True,
                 niter: int = 4, clean_lam: float = 1.0,
                 solver: str = 'fast', peak_kernel: int = 8,
                 hard_thres_mode: str = 'reference',
                 prune_labels: bool = False):
        import_gco()  # fail at build, naming the package, if missing
        self.alpha = float(_number('alpha', alpha, 0, low_open=True))
        self.m_part = _number('m_part', m_part, 1, integer=True)
        self.m_block_num = _number('m_block_num', m_block_num, integer=True)
        if m_block_num != -1 and m_block_num < 1:
            raise ValueError('m_block_num must be -1 (random) or >= 1, got '
                             f'{m_block_num!r}')
        self.beta = float(_number('beta', beta, 0))
        self.gamma = float(_number('gamma', gamma, 0))
        self.thres = float(_number('thres', thres, 0))
        if thres_type not in THRES_TYPES:
            raise ValueError(f'thres_type must be one of {THRES_TYPES}, got '
                             f'{thres_type!r}')
        self.thres_type = thres_type
        if hard_thres_mode not in HARD_THRES_MODES:
            raise ValueError('hard_thres_mode must be one of '
                             f'{HARD_THRES_MODES}, got {hard_thres_mode!r}')
        self.hard_thres_mode = hard_thres_mode
        self.eta = float(_number('eta', eta, 0))
        self.omega = float(_number('omega', omega, 0))
        if not 0 <= omega <= 1:
            raise ValueError(f'omega must be in [0, 1], got {omega!r}')
        if not isinstance(set_resolve, bool):
            raise ValueError(f'set_resolve must be a bool, got {set_resolve!r}')
        self.set_resolve = set_resolve
        self.niter = _number('niter', niter, 1, integer=True)
        self.clean_lam = float(_number('clean_lam', clean_lam, 0))
        if solver not in COMIXUP_SOLVERS:
            raise ValueError(f'solver must be one of {COMIXUP_SOLVERS}, got '
                             f'{solver!r}')
        self.solver = solver
        if not isinstance(prune_labels, bool):
            raise ValueError(
                f'prune_labels must be a bool, got {prune_labels!r}')
        if prune_labels and solver != 'fast':
            raise ValueError("prune_labels=True needs solver='fast', got "
                             f'solver={solver!r}')
        self.prune_labels = prune_labels
        self.peak_kernel = _number('peak_kernel', peak_kernel, 1,
                                   integer=True)

    def block_num(self, side: int) -> int:
        r"""Blocks per side (``m_block_num``, or :math:`2^k`, :math:`k \sim
        U\{1..4\}` per batch when -1), checked to divide ``side``."""
        blocks = self.m_block_num
        if blocks == -1:
            blocks = 2**int(np.random.randint(1, 5))
        if side % blocks:
            raise ValueError(
                f'Co-Mixup needs the image side ({side}) to be divisible by '
                f'the number of blocks per side (m_block_num='
                f'{self.m_block_num}, drawn {blocks})')
        return blocks

    def draw_prior(self, n: int) -> torch.Tensor:
        """Dirichlet prior of a partition of ``n`` inputs."""
        return draw_prior(n, self.alpha)

    def draw_init(self, n: int, h: int, w: int) -> np.ndarray:
        """Random start ``[n, h, w]`` (input index per output block)."""
        return torch.randint(0, n, (n, h, w)).numpy()

    @torch.no_grad()
    def masks(self, saliency: torch.Tensor):
        """Per partition ``(start, z [n, h, w, n])`` of the block labellings
        (``z[i, :, :, j]``: share of input ``start + j`` in output
        ``start + i``)."""
        if saliency.shape[-2] != saliency.shape[-1]:
            raise ValueError('Co-Mixup needs square inputs (its blocks are '
                             'square), got saliency of size '
                             f'{tuple(saliency.shape[-2:])}')
        sal = saliency.detach().float().cpu()
        a_dist = compatibility(sal, self.peak_kernel)
        blocks = self.block_num(sal.shape[-1])
        sal_blocks = F.avg_pool2d(sal[:, None], sal.shape[-1] // blocks)[:, 0]
        h, w = sal_blocks.shape[-2:]
        starts, costs, As, inits = [], [], [], []
        for start in range(0, sal.size(0), self.m_part):
            stop = min(start + self.m_part, sal.size(0))
            cost, A = partition_problem(sal_blocks[start:stop],
                                        a_dist[start:stop, start:stop],
                                        self.omega, self.eta,
                                        self.draw_prior(stop - start))
            starts.append(start)
            costs.append(cost)
            As.append(A)
            inits.append(self.draw_init(stop - start, h, w))
        zs = optimise_partitions(
            costs, As, beta=self.beta / (h * w), gamma=self.gamma / (h * w),
            thres=self.thres * h * w, thres_type=self.thres_type,
            set_resolve=self.set_resolve, niter=self.niter, soft_labels=True,
            inits=inits, solver=self.solver,
            hard_thres_mode=self.hard_thres_mode,
            prune_labels=self.prune_labels)
        return [(s, torch.from_numpy(z)) for s, z in zip(starts, zs)]

    def __call__(self, inputs: torch.Tensor, targets: torch.Tensor,
                 saliency: torch.Tensor, mean=None, std=None):
        """Mixed ``(inputs [B, C, H, W], targets [B, K])``; ``mean``/``std``
        are unused (Co-Mixup has no pixel term)."""
        if saliency.shape != (inputs.size(0), ) + inputs.shape[-2:]:
            raise ValueError('saliency must be [B, H, W] = '
                             f'{(inputs.size(0), ) + tuple(inputs.shape[-2:])}'
                             f', got {tuple(saliency.shape)}')
        mixed, mixed_targets = torch.empty_like(inputs), torch.empty(
            targets.shape, dtype=torch.float32, device=targets.device)
        for start, z in self.masks(saliency):
            n = z.size(0)
            # [n_out, n_in, H, W] nearest-upsampled masks
            m = F.interpolate(z.permute(0, 3, 1, 2).float(),
                              size=inputs.shape[-2:], mode='nearest').to(
                                  inputs.device)
            part = slice(start, start + n)
            mixed[part] = torch.einsum('oihw,ichw->ochw', m.to(inputs.dtype),
                                       inputs[part])
            perms = torch.arange(start, start + n,
                                 device=inputs.device)[:, None].expand(n, n)
            mixed_targets[part] = mix_targets_by_area(
                targets.float(), perms, m)
        return mixed, mixed_targets
