r"""Co-Mixup's batch-level mask optimisation (Kim et al., "Co-Mixup:
Saliency Guided Joint Mixup with Supermodular Diversity", ICLR'21; official
code snu-mllab/Co-Mixup ``match.py``: ``get_onehot_matrix``,
``graphcut_wrapper``, ``obj_fn``, ``resolve_label``).

One partition of :math:`n` inputs gives :math:`n` outputs. Output :math:`i`
labels each cell :math:`p` of an :math:`h \times w` block grid with an input
(one-hot row :math:`z_{ip}`, or a 50/50 pair of two inputs). With the
per-input counts :math:`c_i = \sum_p z_{ip}` the objective is

.. math::
    E(z) = \sum_{i,p} u_p^\top z_{ip}
         + \frac{\beta}{2} \sum_i \sum_{p \sim q} \|z_{ip} - z_{iq}\|^2
         + \gamma \sum_{i \ne j} c_i^\top c_j,

:math:`u_p = -\hat s_p - \eta \log \alpha` (normalised block saliency and a
Dirichlet prior), all coefficients divided by :math:`hw`. It is minimised
output by output (``niter`` outer sweeps): given the others, the diversity
term is modular in :math:`z_i`, with per-input cost :math:`2\gamma\,\phi`,
:math:`p_i = \sum_{j \ne i} c_j`, :math:`A` the input compatibility and
threshold :math:`\tau` (in cells):

* ``thres_type='hard'``, ``hard_thres_mode='reference'`` (default): the
  official line ``(A @ p > thres).float() * A @ p`` evaluates left to right
  as :math:`((A p > \tau) \odot A)\, p`, i.e.
  :math:`\phi_k = \sum_j A_{kj} [(A p)_j > \tau]\, p_j`: the mask is
  indexed by the column, so an input under the threshold still pays
  :math:`A_{kj} p_j` for every compatible input :math:`j` over it. This is
  what produced the published numbers.
* ``hard_thres_mode='paper'``: :math:`\phi_k = [(A p)_k > \tau]\,(A p)_k`
  (the paper's thresholded form, and that of the soft branch).
* ``thres_type='soft'``: :math:`\phi_k = [(A p)_k > \tau]\,((A p)_k -
  \tau)` (official and paper agree).

With :math:`A = I` (``omega = 0``) the two hard forms coincide. Each
output's labelling is a multi-label graph cut with Potts smoothness (0.25
between a 50/50 label and either of its inputs), solved by GCO's alpha-beta
swap (:mod:`.graphcut`). From the second sweep an output using two inputs
gets their 50/50 label, one using three or more gets the three 50/50 labels
of its three most used inputs; ties in the counts at the third place go to
the lower input index (the official ``torch.topk`` leaves the order of ties
unspecified).

Two solvers, both with exactly the labellings of the reference's per-output
``gco.cut_grid_graph`` over all labels:

* ``'gco_loop'``: that loop, one ``gco.cut_grid_graph`` per output.
* ``'fast'`` (default): the energies are built with vectorised numpy for all
  same-sized partitions of a batch at once, GCO is called directly
  (:class:`.graphcut.GridSwap`, same integer energies, so same labels), and
  an energy met again within a partition is not solved twice. GCO calls stay
  on the calling thread (GCO keeps its graphs in an unlocked global table).

``prune_labels=True`` (off by default) also removes labels *dominated* by
another label (unary never lower at any cell, label cost never lower
against any remaining label) and, for outputs without 50/50 labels, labels
whose unary exceeds the cell's cheapest label by more than
:math:`\beta\,\deg(p)` at every cell, before the swap. Neither changes the
minimum of an output's energy, but the swap is a local method whose result
depends on the label set, so the labellings can differ from the reference's
(``docs/baselines.md`` gives the measured rate and speed).

Written here because no maintained library implements this optimisation
(OpenMixup does not port Co-Mixup; the official code is a training script
that needs a process pool to be usable).
"""
from functools import lru_cache
from typing import Optional, Tuple

import numpy as np
import torch

from .graphcut import GridSwap, cut_grid, require_gco

SOFT_LABEL_BIAS = 5e-4  # reference: extra 50/50 labels get -5e-4 of unary
SOFT_PAIR_COST = 0.25  # Potts cost between a 50/50 label and its inputs
COMIXUP_SOLVERS = ('fast', 'gco_loop')
THRES_TYPES = ('hard', 'soft')
HARD_THRES_MODES = ('reference', 'paper')
# ufunc reductions called directly (the ndarray methods add Python layers
# that show up at this problem size)
_all, _any, _min = np.logical_and.reduce, np.logical_or.reduce, \
    np.minimum.reduce


def import_gco():
    """``gco`` or an ImportError naming ``gco-wrapper``."""
    return require_gco('Co-Mixup')


# ----------------------------------------------------------------- objective
def modular_penalty(others: np.ndarray, A: np.ndarray, gamma: float,
                    thres: float, thres_type: str = 'hard',
                    hard_thres_mode: str = 'reference') -> np.ndarray:
    r"""Per-input cost :math:`2\gamma\phi` ``[..., n]`` of an output given
    the other outputs' counts ``others [..., n]`` and ``A [..., n, n]``
    (module docstring)."""
    ap = np.einsum('...mn,...n->...m', A, others)
    over = ap > thres
    if thres_type == 'soft':
        return 2 * gamma * over * (ap - thres)
    if hard_thres_mode == 'paper':
        return 2 * gamma * over * ap
    return 2 * gamma * np.einsum('...mn,...n->...m', A, over * others)


def comixup_objective(cost: np.ndarray, z: np.ndarray, beta: float,
                      gamma: float, A: Optional[np.ndarray] = None,
                      thres: Optional[float] = None,
                      thres_type: str = 'hard',
                      hard_thres_mode: str = 'reference') -> float:
    r"""Objective of labellings ``z [n_out, h, w, n_in]`` (rows sum to 1).

    ``cost [n_in, h, w]`` is the unary (prior included); ``beta``/``gamma``
    are the already grid-normalised coefficients. Without ``thres``: the
    reference's ``obj_fn`` (:math:`\gamma\sum_{i\ne j} c_i^\top c_j`, what
    its early stop watches). With ``thres`` (in cells) and ``A``: the
    diversity term each output step sees, :math:`\gamma \sum_i
    \phi_i^\top c_i` (:func:`modular_penalty` / :math:`2\gamma`).
    """
    n_out = z.shape[0]
    unary = float(np.einsum('nhw,ohwn->', cost, z))
    smooth = float(((z[:, 1:] - z[:, :-1])**2).sum() +
                   ((z[:, :, 1:] - z[:, :, :-1])**2).sum())
    counts = z.reshape(n_out, -1, z.shape[-1]).sum(1)
    if thres is None:
        total = counts.sum(0)
        div = float((total**2).sum() - (counts**2).sum())
    else:
        others = counts.sum(0, keepdims=True) - counts
        phi = modular_penalty(others, np.eye(counts.shape[1]) if A is None
                              else A, 0.5, thres, thres_type,
                              hard_thres_mode)
        div = float((phi * counts).sum())
    return unary + beta / 2 * smooth + gamma * div


def resolve_duplicates(assigned: np.ndarray) -> np.ndarray:
    """The reference's ``resolve_label``: for every pair ``i1 < i2`` of
    outputs using exactly the same set of >= 2 inputs, a unit extra cost on
    the first of those inputs for ``i1`` and on the second for ``i2``."""
    add = np.zeros_like(assigned, dtype=np.float64)
    n = assigned.shape[0]
    for i1 in range(n):
        used = np.flatnonzero(assigned[i1])
        if len(used) < 2:
            continue
        for i2 in range(i1 + 1, n):
            if np.array_equal(assigned[i1], assigned[i2]):
                add[i1, used[0]] = 1.0
                add[i2, used[1]] = 1.0
    return add


def resolve_duplicates_batch(assigned: np.ndarray) -> np.ndarray:
    """:func:`resolve_duplicates` of ``[G, n, n]`` partitions at once (the
    same costs, without the Python double loop)."""
    G, n, _ = assigned.shape
    same = (assigned[:, :, None, :] == assigned[:, None, :, :]).all(-1)
    many = assigned.sum(-1) >= 2  # [G, n]; equal rows use equally many
    same &= many[:, :, None]
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    first = (same & upper).any(2)  # i1 with a later duplicate
    second = (same & upper.T).any(2)  # i2 with an earlier duplicate
    order = np.argsort(~assigned, axis=-1, kind='stable')[..., :2]
    add = np.zeros(assigned.shape, dtype=np.float64)
    g, i = np.nonzero(first)
    add[g, i, order[g, i, 0]] = 1.0
    g, i = np.nonzero(second)
    add[g, i, order[g, i, 1]] = 1.0
    return add


# ------------------------------------------------------ per-output energy
def soft_pairs(count: np.ndarray) -> list:
    """Input pairs of the reference's extra 50/50 labels for an output with
    per-input ``count``: its two inputs if it uses 2, the pairs of its 3
    most used ones if it uses >= 3 (larger count first; equal counts: the
    lower input index first), each pair and the pairs in input order."""
    used = np.flatnonzero(count > 0)
    if len(used) == 2:
        return [(int(used[0]), int(used[1]))]
    if len(used) >= 3:
        top = np.sort(np.argsort(-count, kind='stable')[:3])
        return [(int(top[0]), int(top[1])), (int(top[0]), int(top[2])),
                (int(top[1]), int(top[2]))]
    return []


def soft_pairs_batch(counts: np.ndarray) -> list:
    """:func:`soft_pairs` of ``counts [G, n]`` (one output per row)."""
    n_used = (counts > 0).sum(1).tolist()
    order = np.argsort(-counts, axis=1, kind='stable')[:, :3]
    two = np.sort(order[:, :2], 1).tolist()  # the used ones come first
    three = np.sort(order, 1).tolist()
    out = []
    for k, p, t in zip(n_used, two, three):
        if k == 2:
            out.append([(p[0], p[1])])
        elif k >= 3:
            out.append([(t[0], t[1]), (t[0], t[2]), (t[1], t[2])])
        else:
            out.append([])
    return out


def output_energy(unary_in: np.ndarray, count: np.ndarray, soft_labels: bool):
    """Label set of one output step: ``(unary [P, L], pairwise [L, L],
    weights [L, n_in])``; labels ``0..n_in-1`` are the inputs, the rest are
    the reference's 50/50 labels (``count``: the output's current
    per-input counts; 1 extra label over its two inputs if it uses 2, 3 over
    pairs of its 3 most used inputs if it uses >= 3)."""
    n_in = unary_in.shape[1]
    pairs = soft_pairs(count) if soft_labels else []
    n_lab = n_in + len(pairs)
    weights = np.zeros((n_lab, n_in))
    weights[np.arange(n_in), np.arange(n_in)] = 1.0
    pairwise = 1.0 - np.eye(n_lab)
    for k, (a, b) in enumerate(pairs):
        weights[n_in + k, [a, b]] = 0.5
        pairwise[n_in + k, [a, b]] = pairwise[[a, b], n_in + k] = \
            SOFT_PAIR_COST
    unary = unary_in @ weights.T
    if pairs:
        unary[:, n_in:] -= SOFT_LABEL_BIAS
    return unary, pairwise, weights


# ------------------------------------------ prune_labels: label removal
_MASKS = {}


def _dominance_masks(n: int):
    """``(k in {m, l} as [m, l, k], strictly-lower-index [m, l])``."""
    if n not in _MASKS:
        eye = np.eye(n, dtype=bool)
        _MASKS[n] = (eye[:, None, :] | eye[None, :, :],
                     np.tri(n, k=-1, dtype=bool))
    return _MASKS[n]


def pairwise_ok(pairwise: np.ndarray) -> np.ndarray:
    """``[m, l]``: :math:`P(m, k) \\le P(l, k)` for every label
    :math:`k \\notin \\{l, m\\}`, False on the diagonal."""
    ignore = _dominance_masks(pairwise.shape[0])[0]
    ok = ((pairwise[:, None, :] <= pairwise[None, :, :]) | ignore).all(-1)
    np.fill_diagonal(ok, False)
    return ok


def undominated_labels(unary: np.ndarray, pairwise: np.ndarray,
                       pair_ok: Optional[np.ndarray] = None) -> np.ndarray:
    r"""Indices of the labels kept after removing dominated ones.

    Label :math:`m` dominates :math:`l` if :math:`U_p(m) \le U_p(l)` at every
    cell and :math:`P(m, k) \le P(l, k)` for every other label :math:`k`:
    relabelling :math:`l \to m` everywhere then never raises the energy (the
    condition holds against every label, so removed labels can be replaced
    one after the other), and some minimiser avoids :math:`l`. A label is
    removed when a label that nothing beats dominates it (ties broken by
    index), so each removed label has a kept dominator. ``pair_ok``: the
    pairwise condition ``[m, l]`` if already known (:func:`pairwise_ok`).
    """
    n = unary.shape[1]
    lower = _dominance_masks(n)[1]
    if pair_ok is None:
        pair_ok = pairwise_ok(pairwise)
    # the diagonal of pair_ok is False, so no label dominates itself
    dom = _all(unary[:, :, None] <= unary[:, None, :], 0) & pair_ok
    beats = dom & (~dom.T | lower)
    unbeaten = ~_any(beats, 0)
    return (~_any(beats & unbeaten[:, None], 0)).nonzero()[0]


def near_labels(unary: np.ndarray, kept: np.ndarray,
                margin: np.ndarray) -> np.ndarray:
    r"""``kept`` labels (``[..., n]``) whose unary (``[..., P, n]``) is
    within ``margin [P, 1]`` of the cell's cheapest kept label at some
    cell (the margin removal of the module docstring)."""
    masked = np.where(kept[..., None, :], unary, np.inf)
    best = _min(masked, -1, keepdims=True)
    return _any(masked <= best + margin, -2) & kept


def member_mask(pairs_per_group: list, n: int) -> np.ndarray:
    """``[G, n]``: inputs that are in one of the group's 50/50 pairs."""
    mask = np.zeros((len(pairs_per_group), n), dtype=bool)
    for g, pairs in enumerate(pairs_per_group):
        for a, b in pairs:
            mask[g, a] = mask[g, b] = True
    return mask


def stage_one_removed(dmax: np.ndarray, offset: np.ndarray,
                      offdiag: np.ndarray, lower: np.ndarray,
                      members: np.ndarray) -> np.ndarray:
    r"""``[G, n]`` input labels removed for an input label dominator, for G
    problems at once: :math:`m` dominates :math:`l` iff ``dmax[m, l] <=
    offset[l] - offset[m]``; inputs in a 50/50 pair (``members``) are never
    removed here; a label is removed when a label nothing beats (ties by
    index) dominates it."""
    dom = (dmax <= offset[:, None, :] - offset[:, :, None]) & offdiag
    beats = dom & (~dom.transpose(0, 2, 1) | lower) & ~members[:, None, :]
    unbeaten = ~beats.any(1)
    return (beats & unbeaten[:, :, None]).any(1)


class PartitionSolver:
    """Per-output solves of one partition (see the module docstring)."""

    def __init__(self, unary_in: np.ndarray, h: int, w: int, beta: float,
                 solver: str, prune_labels: bool = False):
        if solver not in COMIXUP_SOLVERS:
            raise ValueError(f'solver must be one of {COMIXUP_SOLVERS}, got '
                             f'{solver!r}')
        if prune_labels and solver != 'fast':
            raise ValueError("prune_labels=True needs solver='fast'")
        self.unary_in, self.h, self.w, self.beta = unary_in, h, w, beta
        self.solver, self.prune_labels = solver, prune_labels
        n = unary_in.shape[1]
        if solver == 'fast':
            self.swap = GridSwap(h, w, beta)
            self.cache, self.structures = {}, {}
        if prune_labels:
            self.dmax = (unary_in[:, :, None] - unary_in[:, None, :]).max(0)
            self.lower = np.tri(n, k=-1, dtype=bool)
            self.offdiag = ~np.eye(n, dtype=bool)
            deg = np.zeros((h, w))
            deg[1:] += 1
            deg[:-1] += 1
            deg[:, 1:] += 1
            deg[:, :-1] += 1
            self.margin = beta * deg.reshape(-1, 1)

    def __call__(self, offset: np.ndarray, count: np.ndarray,
                 soft_labels: bool):
        """``(labels [P], weights [L, n_in] or None for one-hot labels)``
        of one output whose input-label unary is ``unary_in + offset``
        (modular diversity and resolve costs)."""
        if self.solver == 'gco_loop':
            unary, pairwise, weights = output_energy(
                self.unary_in + offset[None], count, soft_labels)
            return np.asarray(cut_grid(unary, pairwise, self.beta, self.h,
                                       self.w, 'Co-Mixup')).reshape(-1), \
                weights
        pairs = soft_pairs(count) if soft_labels else []
        unary = self.unary_in + offset
        kept = np.ones(offset.size, dtype=bool)
        if not self.prune_labels:
            return self.finish_masks(unary, kept, kept, pairs)
        # 1) input labels dominated by input labels (unary via dmax; Potts
        #    costs make any input a valid dominator of an input that is in
        #    no 50/50 pair; inputs in pairs are kept for step 2)
        kept = ~stage_one_removed(self.dmax[None], offset[None],
                                  self.offdiag, self.lower,
                                  member_mask([pairs], offset.size))[0]
        near = near_labels(unary, kept, self.margin) if not pairs else kept
        return self.finish_masks(unary, kept, near, pairs)

    def finish_masks(self, unary: np.ndarray, kept: np.ndarray,
                     near: np.ndarray, pairs: list):
        """The labelling given the output's input-label unary ``[P, n]``,
        the inputs kept by the input-by-input removal (``kept [n]``) and
        those of them also within the margin (``near [n]``, used when the
        output has no 50/50 labels); all True without ``prune_labels``."""
        if not pairs:
            keep = near.nonzero()[0]
            if len(keep) == 1:
                return np.full(self.h * self.w, keep[0]), None
            if len(keep) == unary.shape[1]:
                return self.solve(unary, _potts(len(keep))), None
            # Potts among any kept inputs: 1 - I of their number
            return keep[self.solve(unary[:, keep], _potts(len(keep)))], None
        keep = kept.nonzero()[0]
        sub_u = unary[:, keep] if len(keep) < unary.shape[1] else unary
        weights, pairwise, cols, pair_ok = self.soft_structure(keep, pairs)
        ends = sub_u[:, cols.T]  # [P, 2, k]: the two inputs of each pair
        extra = 0.5 * (ends[:, 0] + ends[:, 1]) - SOFT_LABEL_BIAS
        unary = np.concatenate([sub_u, extra], 1)
        if not self.prune_labels:
            return self.solve(unary, pairwise), weights
        # 2) with the 50/50 labels: the general dominance on what is left
        keep2 = undominated_labels(unary, pairwise, pair_ok)
        if len(keep2) == 1:
            return np.full(self.h * self.w, keep2[0]), weights
        if len(keep2) == len(pairwise):
            return self.solve(unary, pairwise), weights
        return keep2[self.solve(
            unary[:, keep2], pairwise[keep2[:, None], keep2])], weights

    def soft_structure(self, keep: np.ndarray, pairs: list):
        """``(weights [L, n_in], pairwise [L, L], pair columns [k, 2],
        pairwise_ok [L, L])`` of the kept inputs followed by the 50/50
        labels (memoised)."""
        key = (keep.tobytes(), tuple(pairs))
        found = self.structures.get(key)
        if found is not None:
            return found
        n_keep, n_pairs = len(keep), len(pairs)
        pair_in = np.array(pairs)
        weights = np.zeros((n_keep + n_pairs, self.unary_in.shape[1]))
        weights[np.arange(n_keep), keep] = 1.0
        weights[np.arange(n_keep, n_keep + n_pairs)[:, None], pair_in] = 0.5
        cols = np.searchsorted(keep, pair_in)
        found = (weights, ) + _soft_pairwise(n_keep, cols)
        self.structures[key] = found
        return found

    def solve(self, unary: np.ndarray, pairwise: np.ndarray) -> np.ndarray:
        """Alpha-beta-swap labels ``[P]`` (memoised within the partition)."""
        key = (unary.tobytes(), pairwise.tobytes())
        lab = self.cache.get(key)
        if lab is None:
            lab = self.cache[key] = self.swap(unary, pairwise)
        return lab


@lru_cache(maxsize=64)
def _potts(n: int) -> np.ndarray:
    """``1 - I`` of size n (shared, read only)."""
    potts = 1.0 - np.eye(n)
    potts.setflags(write=False)
    return potts


def _soft_pairwise(n_keep: int, cols: np.ndarray):
    """``(pairwise [L, L], cols, pairwise_ok [L, L])`` of ``n_keep`` input
    labels followed by one 50/50 label per row of ``cols`` (positions of
    its two inputs among the kept ones); shared by every problem with the
    same layout."""
    return _soft_layout(n_keep, tuple(map(tuple, cols.tolist())))


@lru_cache(maxsize=2048)
def _soft_layout(n_keep: int, cols: tuple):
    n_lab = n_keep + len(cols)
    pairwise = 1.0 - np.eye(n_lab)
    for k, (ja, jb) in enumerate(cols):
        pairwise[n_keep + k, [ja, jb]] = SOFT_PAIR_COST
        pairwise[[ja, jb], n_keep + k] = SOFT_PAIR_COST
    found = (pairwise, np.array(cols, dtype=np.int64).reshape(-1, 2),
             pairwise_ok(pairwise))
    for array in found:
        array.setflags(write=False)
    return found


# ------------------------------------------------------- partition solver
def optimise_partition(cost: np.ndarray, A: np.ndarray, beta: float,
                       gamma: float, thres: float, thres_type: str = 'hard',
                       set_resolve: bool = True, niter: int = 4,
                       soft_labels: bool = True,
                       init: Optional[np.ndarray] = None,
                       solver: str = 'fast',
                       hard_thres_mode: str = 'reference',
                       prune_labels: bool = False, stop_tol: float = 1e-6,
                       trace: Optional[list] = None) -> np.ndarray:
    r"""Labellings ``z [n, h, w, n]`` of one partition (reference
    ``get_onehot_matrix`` after its prior, with normalised coefficients).

    ``cost [n, h, w]``: unary incl. the prior; ``beta``, ``gamma`` already
    divided by :math:`hw`, ``thres`` in cells (:math:`\tau hw`); ``init``
    ``[n, h, w]`` input indices (random when None, torch RNG). Outer sweeps
    stop early when the reference objective changes by < ``stop_tol``
    relatively; ``trace`` (a list) receives that objective before and after
    each sweep.
    """
    if init is None:
        init = torch.randint(0, cost.shape[0], cost.shape).numpy()
    return optimise_partitions(
        [cost], [A], beta, gamma, thres, thres_type, set_resolve, niter,
        soft_labels, [init], solver=solver, hard_thres_mode=hard_thres_mode,
        prune_labels=prune_labels, stop_tol=stop_tol,
        traces=None if trace is None else [trace])[0]


def optimise_partitions(costs: list, As: list, beta: float, gamma: float,
                        thres: float, thres_type: str, set_resolve: bool,
                        niter: int, soft_labels: bool, inits: list,
                        solver: str = 'fast',
                        hard_thres_mode: str = 'reference',
                        prune_labels: bool = False, stop_tol: float = 1e-6,
                        traces: Optional[list] = None) -> list:
    """:func:`optimise_partition` of several independent partitions, the
    same-sized ones stepped together so that the per-output arithmetic
    (modular costs, 50/50 pairs, label removal, count updates, resolve
    costs) is done once for all of them; each partition's steps, early stop
    and resolve are exactly those of its own run."""
    for key, value, allowed in (
            ('solver', solver, COMIXUP_SOLVERS),
            ('thres_type', thres_type, THRES_TYPES),
            ('hard_thres_mode', hard_thres_mode, HARD_THRES_MODES)):
        if value not in allowed:
            raise ValueError(f'{key} must be one of {allowed}, got {value!r}')
    if prune_labels and solver != 'fast':
        raise ValueError("prune_labels=True needs solver='fast', got "
                         f'solver={solver!r}')
    out = [None] * len(costs)
    for shape in sorted({c.shape for c in costs}):
        idx = [k for k, c in enumerate(costs) if c.shape == shape]
        res = _optimise_group(
            [costs[k] for k in idx], [As[k] for k in idx], beta, gamma,
            thres, thres_type, hard_thres_mode, set_resolve, niter,
            soft_labels, [inits[k] for k in idx], solver, prune_labels,
            stop_tol, None if traces is None else [traces[k] for k in idx])
        for k, z in zip(idx, res):
            out[k] = z
    return out


def _optimise_group(costs, As, beta, gamma, thres, thres_type,
                    hard_thres_mode, set_resolve, niter, soft_labels, inits,
                    solver, prune_labels, stop_tol, traces):
    n, h, w = costs[0].shape
    G, P = len(costs), h * w
    A = np.stack(As)
    steps = [PartitionSolver(
        np.ascontiguousarray(c.reshape(n, P).T, dtype=np.float64), h, w,
        beta, solver, prune_labels) for c in costs]
    fast = solver == 'fast'
    unary_in = np.stack([st.unary_in for st in steps])  # [G, P, n]
    if prune_labels:
        dmax = np.stack([st.dmax for st in steps])
        offdiag, lower = steps[0].offdiag, steps[0].lower
        margin = steps[0].margin
    eye = np.eye(n)
    z = np.zeros((G, n, P, n))
    for g, init in enumerate(inits):
        np.put_along_axis(z[g], init.reshape(n, P, 1), 1.0, axis=-1)
    counts = z.sum(2)  # [G, n_out, n_in]
    total = counts.sum(1)  # [G, n_in]
    add_cost = None
    active = list(range(G))

    def objective(g):
        return comixup_objective(costs[g], z[g].reshape(n, h, w, n), beta,
                                 gamma)

    prev = [objective(g) for g in range(G)]
    if traces is not None:
        for g in range(G):
            traces[g].append(prev[g])
    for it in range(niter):
        soft = soft_labels and it > 0
        for i in range(n):
            total -= counts[:, i]
            offset = modular_penalty(total, A, gamma, thres, thres_type,
                                     hard_thres_mode)
            if add_cost is not None:
                offset = offset + gamma * add_cost[:, i]
            if fast:
                pairs = soft_pairs_batch(counts[:, i]) if soft else \
                    [[] for _ in range(G)]
                unary = unary_in + offset[:, None, :]
                if prune_labels:
                    kept = ~stage_one_removed(dmax, offset, offdiag, lower,
                                              member_mask(pairs, n))
                    near = near_labels(unary, kept, margin)
                else:
                    kept = near = np.ones((G, n), dtype=bool)
            for g in active:
                if fast:
                    lab, weights = steps[g].finish_masks(
                            unary[g], kept[g], near[g], pairs[g])
                else:
                    lab, weights = steps[g](offset[g], counts[g, i], soft)
                z[g, i] = eye[lab] if weights is None else weights[lab]
            counts[:, i] = z[:, i].sum(1)
            total += counts[:, i]
        if set_resolve and it == niter - 2:
            add_cost = resolve_duplicates_batch(counts > 0) if fast else \
                np.stack([resolve_duplicates(counts[g] > 0)
                          for g in range(G)])
        still = []
        for g in active:
            loss = objective(g)
            if traces is not None:
                traces[g].append(loss)
            if abs(prev[g] - loss) / max(abs(loss), 1e-12) >= stop_tol:
                still.append(g)
            prev[g] = loss
        active = still  # stopped partitions keep their labellings
        if not active:
            break
    return [z[g].reshape(n, h, w, n) for g in range(G)]


def compatibility(saliency: torch.Tensor, kernel: int = 8) -> torch.Tensor:
    r"""Reference ``A_dist``: L1 distance ``[B, B]`` between the most salient
    locations (argmax of the ``kernel``-pooled saliency, stride 1)."""
    k = min(kernel, saliency.shape[-2], saliency.shape[-1])
    z = torch.nn.functional.avg_pool2d(saliency[:, None], k, stride=1)[:, 0]
    flat = z.flatten(1).argmax(1)
    loc = torch.stack([flat // z.shape[-1], flat % z.shape[-1]], 1).float()
    return (loc[:, None] - loc[None]).abs().sum(-1)


def draw_prior(n: int, alpha: float) -> torch.Tensor:
    r""":math:`\pi \sim Dir(\alpha 1_n)` (float64, torch RNG)."""
    return torch.distributions.Dirichlet(
        torch.full((n, ), float(alpha), dtype=torch.float64)).sample()


def partition_problem(sal_blocks: torch.Tensor, a_dist: torch.Tensor,
                      omega: float, eta: float, prior: torch.Tensor
                      ) -> Tuple[np.ndarray, np.ndarray]:
    r"""``(cost [n, h, w], A [n, n])`` of one partition (reference
    ``mixup_process`` + the prior of ``get_onehot_matrix``): normalised
    block saliency :math:`\hat s`, :math:`u = -\hat s - \eta/(hw) \log(\pi +
    10^{-8})` with the Dirichlet draw :math:`\pi` (``prior [n]``,
    :func:`draw_prior`), :math:`A = (1-\omega) I + \omega\, n\, A_{dist} /
    \sum A_{dist}` (:math:`A = (1-\omega) I` when all peaks coincide; the
    reference divides by zero there)."""
    n, h, w = sal_blocks.shape
    s = sal_blocks.double()
    s = s / s.flatten(1).sum(1).clamp_min(1e-12).view(n, 1, 1)
    prior = torch.as_tensor(prior, dtype=torch.float64)
    cost = -s - eta / (h * w) * torch.log(prior + 1e-8).view(n, 1, 1)
    dist = a_dist.double()
    total = dist.sum()
    dist = dist / total * n if total > 0 else torch.zeros_like(dist)
    A = (1 - omega) * torch.eye(n, dtype=torch.float64) + omega * dist
    return cost.numpy(), A.numpy()
