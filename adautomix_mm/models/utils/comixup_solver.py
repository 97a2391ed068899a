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
term is modular in :math:`z_i` with the per-input cost
:math:`2\gamma\,[A p_i > \tau hw]\,(A p_i)` (``thres_type='hard'``;
``'soft'``: :math:`A p_i - \tau hw`), :math:`p_i = \sum_{j \ne i} c_j`,
:math:`A` the input compatibility; each output's labelling is a
multi-label graph cut with Potts smoothness (0.25 between a 50/50 label and
either of its inputs).

Two solvers of the same per-output energies:

* ``'gco_loop'``: the straightforward loop, one ``gco.cut_grid_graph``
  (alpha-beta swap) over all labels per output, as the reference.
* ``'fast'`` (default): the energy is built with vectorised numpy; labels
  *dominated* by another label (unary never lower at any cell, smoothness
  cost never lower against any remaining label) are removed, which never
  changes the minimum (replacing a dominated label by its dominator
  everywhere cannot raise the energy), and so are labels whose unary exceeds
  the cell's cheapest label by more than :math:`\beta\,\deg(p)` at every
  cell (moving that one cell to the cheapest label would lower the energy,
  so neither a minimum nor a swap-local minimum uses them; Potts steps
  only); the rest is solved by the same alpha-beta swap on the remaining
  labels, or exactly by dynamic programming over grid columns when at most
  ``exact_states`` column states remain (0 by default: the swap is faster
  on these grids). Labellings solved in the same partition are memoised,
  and the same-sized partitions of a batch are stepped together so that the
  per-output arithmetic is done once for all of them. GCO calls stay on the
  calling thread (GCO keeps its graphs in an unlocked global table).

Written here because no maintained library implements this optimisation
(OpenMixup does not port Co-Mixup; the official code is a training script
that needs a process pool to be usable).
"""
import ctypes
from functools import lru_cache
from typing import Optional, Tuple

import numpy as np
import torch

from .graphcut import grid_edges, require_gco

SOFT_LABEL_BIAS = 5e-4  # reference: extra 50/50 labels get -5e-4 of unary
SOFT_PAIR_COST = 0.25  # Potts cost between a 50/50 label and its inputs
SOLVERS = ('fast', 'gco_loop')
# ufunc reductions called directly (the ndarray methods add Python layers
# that show up at this problem size)
_all, _any, _min = np.logical_and.reduce, np.logical_or.reduce, \
    np.minimum.reduce


def import_gco():
    """``gco`` or an ImportError naming ``gco-wrapper``."""
    return require_gco('Co-Mixup')


# ----------------------------------------------------------------- objective
def comixup_objective(cost: np.ndarray, z: np.ndarray, beta: float,
                      gamma: float, A: Optional[np.ndarray] = None,
                      thres: Optional[float] = None,
                      thres_type: str = 'hard') -> float:
    r"""Objective of labellings ``z [n_out, h, w, n_in]`` (rows sum to 1).

    ``cost [n_in, h, w]`` is the unary (prior included); ``beta``/``gamma``
    are the already grid-normalised coefficients. Without ``thres``: the
    reference's ``obj_fn`` (:math:`\gamma\sum_{i\ne j} c_i^\top c_j`, what
    its early stop watches). With ``thres`` (in cells) and ``A``: the
    diversity term each output step sees, :math:`\gamma \sum_i
    \phi(A p_i)^\top c_i`, :math:`\phi(v) = [v > \tau]\,v` (hard) or
    :math:`[v > \tau](v - \tau)` (soft).
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
        if A is not None:
            others = others @ A.T
        over = others > thres
        pen = others - thres if thres_type == 'soft' else others
        div = float((over * pen * counts).sum())
    return unary + beta / 2 * smooth + gamma * div


def modular_penalty(others: np.ndarray, A: np.ndarray, gamma: float,
                    thres: float, thres_type: str) -> np.ndarray:
    """Per-input cost of one output given the other outputs' counts."""
    ap = A @ others
    over = ap > thres
    return 2 * gamma * over * (ap - thres if thres_type == 'soft' else ap)


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
    most used ones (stable for ties, in input order) if it uses >= 3."""
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


def grid_energy(labels: np.ndarray, unary: np.ndarray, pairwise: np.ndarray,
                beta: float, h: int, w: int) -> float:
    """Energy of one labelling ``[P]`` of an ``h x w`` 4-connected grid."""
    lab = labels.reshape(h, w)
    e = unary[np.arange(h * w), labels].sum()
    e += beta * (pairwise[lab[1:], lab[:-1]].sum() +
                 pairwise[lab[:, 1:], lab[:, :-1]].sum())
    return float(e)


def gco_swap(unary: np.ndarray, pairwise: np.ndarray, beta: float, h: int,
             w: int) -> np.ndarray:
    """Alpha-beta swap of ``gco.cut_grid_graph`` (float energies, uniform
    edge weight ``beta``), exactly as the reference calls it."""
    gco = import_gco()
    return gco.cut_grid_graph(
        np.ascontiguousarray(unary.reshape(h, w, -1), dtype=np.float32),
        np.ascontiguousarray(pairwise, dtype=np.float32),
        np.full((h - 1, w), beta, np.float32),
        np.full((h, w - 1), beta, np.float32), algorithm='swap')


def _gco_library():
    """Own ctypes handle on gco-wrapper's compiled GCO library, with plain
    pointer arguments (its own handle checks every array argument in
    Python, a large share of a 16-cell problem's time), or None."""
    import_gco()
    try:  # gco-wrapper 3.0.x keeps its ctypes library handle here
        from gco.cgco import _cgco
        lib = ctypes.CDLL(_cgco._name)
    except (ImportError, AttributeError, OSError):  # pragma: no cover
        return None
    ptr, cint = ctypes.c_void_p, ctypes.c_int
    for name, args in (('gcoCreateGeneralGraph', (cint, cint, ptr)),
                       ('gcoDestroyGraph', (cint, )),
                       ('gcoSetDataCost', (cint, ptr)),
                       ('gcoSetAllNeighbors', (cint, ptr, ptr, ptr, cint)),
                       ('gcoSetSmoothCost', (cint, ptr)),
                       ('gcoSwap', (cint, cint, ptr)),
                       ('gcoGetLabels', (cint, ptr))):
        getattr(lib, name).argtypes = args
        getattr(lib, name).restype = cint
    return lib


class GridSwap:
    """The same alpha-beta swap on one ``h x w`` grid with fewer Python
    calls: edges built once, the GCO C functions called directly, energies
    converted to integers exactly as ``gco.pygco`` does for float input (so
    both give identical labellings for the same problem)."""

    _lib = None

    def __init__(self, h: int, w: int, beta: float):
        if GridSwap._lib is None:
            GridSwap._lib = _gco_library() or False
        self.h, self.w, self.beta = h, w, beta
        s1, s2 = grid_edges(h, w)
        self.s1 = np.ascontiguousarray(s1, dtype=np.intc)
        self.s2 = np.ascontiguousarray(s2, dtype=np.intc)
        # pygco: edge weights * 1000, smooth costs * 100, unary * 100000
        self.weights = (np.full(self.s1.size, beta, np.float32) *
                        1000).astype(np.intc)
        self.handle = np.empty(1, dtype=np.intc)
        self.energy = np.empty(1, dtype=np.longlong)
        # raw addresses of the constant buffers (``.ctypes.data`` builds a
        # Python object per access)
        self.ptrs = tuple(a.ctypes.data for a in (
            self.s1, self.s2, self.weights, self.handle, self.energy))
        self.smooth = {}  # (integer smooth costs, address) by float bytes

    def __call__(self, unary: np.ndarray, pairwise: np.ndarray) -> np.ndarray:
        lib = self._lib
        if not lib:  # another gco-wrapper layout: its public API
            return np.asarray(gco_swap(unary, pairwise, self.beta, self.h,
                                       self.w))
        n_sites, n_lab = unary.shape
        # C order: GCO reads the raw buffers (site-major unary)
        data = np.ascontiguousarray(
            (unary.astype(np.float32) * 100000).astype(np.intc))
        key = pairwise.tobytes()
        found = self.smooth.get(key)
        if found is None:
            smooth = np.ascontiguousarray(
                (pairwise.astype(np.float32) * 100).astype(np.intc))
            found = self.smooth[key] = (smooth, smooth.ctypes.data)
        labels = np.empty(n_sites, dtype=np.intc)
        p_s1, p_s2, p_weights, p_handle, p_energy = self.ptrs
        lib.gcoCreateGeneralGraph(n_sites, n_lab, p_handle)
        handle = int(self.handle[0])
        try:
            lib.gcoSetDataCost(handle, data.ctypes.data)
            lib.gcoSetAllNeighbors(handle, p_s1, p_s2, p_weights,
                                   self.s1.size)
            lib.gcoSetSmoothCost(handle, found[1])
            lib.gcoSwap(handle, -1, p_energy)
            lib.gcoGetLabels(handle, labels.ctypes.data)
        finally:
            lib.gcoDestroyGraph(handle)
        return labels


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


def exact_grid_labelling(unary: np.ndarray, pairwise: np.ndarray,
                         beta: float, h: int, w: int) -> np.ndarray:
    r"""Exact minimiser by dynamic programming over the grid's columns.

    The state is a column's labelling (:math:`L^h` states); the transition
    :math:`\min_{s'} D(s') + \beta \sum_r P(s'_r, s_r)` is separable over
    the rows and is taken one row at a time (:math:`h L^{h+1}` work per
    column instead of :math:`L^{2h}`).
    """
    n_lab = unary.shape[1]
    u = unary.reshape(h, w, n_lab)
    bp = beta * pairwise

    def column_cost(c):
        total = np.zeros((n_lab, ) * h)
        for r in range(h):
            shape = [1] * h
            shape[r] = n_lab
            total = total + u[r, c].reshape(shape)
        for r in range(h - 1):
            shape = [1] * h
            shape[r] = shape[r + 1] = n_lab
            total = total + bp.reshape(shape)
        return total

    dp = column_cost(0)
    back = []
    for c in range(1, w):
        steps = []
        t = dp
        for r in range(h):
            # t[..., s'_r, ...] + bp[s'_r, s_r], min over s'_r -> axis r new
            moved = np.moveaxis(t, r, -1)[..., :, None] + bp
            t = np.moveaxis(moved.min(-2), -1, r)
            steps.append(np.moveaxis(moved.argmin(-2), -1, r))
        back.append(steps)
        dp = t + column_cost(c)
    state = list(np.unravel_index(int(dp.argmin()), dp.shape))
    cols = [list(state)]
    for steps in reversed(back):
        prev = list(state)
        for r in reversed(range(h)):
            # steps[r] is indexed by (new s_0..s_r, old s'_{r+1}..)
            key = tuple(state[:r + 1]) + tuple(prev[r + 1:])
            prev[r] = int(steps[r][key])
        state = prev
        cols.append(list(state))
    cols.reverse()
    return np.array(cols, dtype=np.int64).T.reshape(-1)  # [h, w] row-major


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
                 solver: str, exact_states: int = 0):
        if solver not in SOLVERS:
            raise ValueError(f'solver must be one of {SOLVERS}, got '
                             f'{solver!r}')
        self.unary_in, self.h, self.w, self.beta = unary_in, h, w, beta
        self.solver, self.exact_states = solver, exact_states
        n = unary_in.shape[1]
        self.potts = 1.0 - np.eye(n)
        if solver == 'fast':
            self.swap = GridSwap(h, w, beta)
            self.dmax = (unary_in[:, :, None] - unary_in[:, None, :]).max(0)
            self.lower = np.tri(n, k=-1, dtype=bool)
            self.offdiag = ~np.eye(n, dtype=bool)
            deg = np.zeros((h, w))
            deg[1:] += 1
            deg[:-1] += 1
            deg[:, 1:] += 1
            deg[:, :-1] += 1
            self.margin = beta * deg.reshape(-1, 1)
            self.margin_prune = True
            self.cache, self.structures = {}, {}

    def __call__(self, offset: np.ndarray, count: np.ndarray,
                 soft_labels: bool):
        """``(labels [P], weights [L, n_in] or None for one-hot labels)``
        of one output whose input-label unary is ``unary_in + offset``
        (modular diversity and resolve costs)."""
        if self.solver == 'gco_loop':
            unary, pairwise, weights = output_energy(
                self.unary_in + offset[None], count, soft_labels)
            return np.asarray(gco_swap(unary, pairwise, self.beta, self.h,
                                       self.w)), weights
        pairs = soft_pairs(count) if soft_labels else []
        # 1) input labels dominated by input labels (unary via dmax; Potts
        #    costs make any input a valid dominator of an input that is in
        #    no 50/50 pair; inputs in pairs are kept for step 2)
        removed = stage_one_removed(self.dmax[None], offset[None],
                                    self.offdiag, self.lower,
                                    member_mask([pairs], offset.size))[0]
        return self.finish(np.flatnonzero(~removed), offset, pairs)

    def finish(self, keep: np.ndarray, offset: np.ndarray, pairs: list):
        """The step after the input-by-input removal (``keep``)."""
        unary = self.unary_in + offset
        kept = np.zeros(offset.size, dtype=bool)
        kept[keep] = True
        near = near_labels(unary, kept, self.margin) \
            if not pairs and self.margin_prune else kept
        return self.finish_masks(unary, kept, near, pairs)

    def finish_masks(self, unary: np.ndarray, kept: np.ndarray,
                     near: np.ndarray, pairs: list):
        """:meth:`finish` given the output's input-label unary ``[P, n]``,
        the inputs kept by the input-by-input removal (``kept [n]``) and
        those of them also within the margin (``near [n]``, used when the
        output has no 50/50 labels)."""
        if not pairs:
            keep = near.nonzero()[0]
            if len(keep) == 1:
                return np.full(self.h * self.w, keep[0]), None
            # Potts among any kept inputs: 1 - I of their number
            return keep[self.solve_reduced(unary[:, keep],
                                           _potts(len(keep)))], None
        keep = kept.nonzero()[0]
        sub_u = unary[:, keep]
        # 2) with the 50/50 labels: the general dominance on what is left
        weights, pairwise, cols, pair_ok = self.soft_structure(keep, pairs)
        ends = sub_u[:, cols.T]  # [P, 2, k]: the two inputs of each pair
        extra = 0.5 * (ends[:, 0] + ends[:, 1]) - SOFT_LABEL_BIAS
        unary = np.concatenate([sub_u, extra], 1)
        keep2 = undominated_labels(unary, pairwise, pair_ok)
        if len(keep2) == 1:
            return np.full(self.h * self.w, keep2[0]), weights
        if len(keep2) == len(pairwise):
            return keep2[self.solve_reduced(unary, pairwise)], weights
        return keep2[self.solve_reduced(
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

    def solve_reduced(self, unary: np.ndarray, pairwise: np.ndarray):
        key = (unary.tobytes(), pairwise.tobytes())
        lab = self.cache.get(key)
        if lab is not None:
            return lab
        h, w = self.h, self.w
        if unary.shape[1]**min(h, w) <= self.exact_states:
            if h > w:  # DP along the longer side, state over the shorter
                lab = exact_grid_labelling(
                    unary.reshape(h, w, -1).transpose(1, 0, 2).reshape(
                        h * w, -1), pairwise, self.beta, w, h).reshape(
                            w, h).T.reshape(-1)
            else:
                lab = exact_grid_labelling(unary, pairwise, self.beta, h, w)
        else:
            lab = self.swap(unary, pairwise)
        self.cache[key] = lab
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
                       solver: str = 'fast', exact_states: int = 0,
                       stop_tol: float = 1e-6, trace: Optional[list] = None
                       ) -> np.ndarray:
    r"""Labellings ``z [n, h, w, n]`` of one partition (reference
    ``get_onehot_matrix`` after its prior, with normalised coefficients).

    ``cost [n, h, w]``: unary incl. the prior; ``beta``, ``gamma`` already
    divided by :math:`hw`, ``thres`` in cells (:math:`\tau hw`); ``init``
    ``[n, h, w]`` input indices (random when None, torch RNG). Outer sweeps
    stop early when the reference objective changes by < ``stop_tol``
    relatively; ``trace`` (a list) receives that objective before and after
    each sweep. ``exact_states``: column states up to which the reduced
    problems are solved exactly (``'fast'`` only; 0: always swap).
    """
    if init is None:
        init = torch.randint(0, cost.shape[0], cost.shape).numpy()
    return optimise_partitions(
        [cost], [A], beta, gamma, thres, thres_type, set_resolve, niter,
        soft_labels, [init], solver, exact_states, stop_tol,
        None if trace is None else [trace])[0]


def optimise_partitions(costs: list, As: list, beta: float, gamma: float,
                        thres: float, thres_type: str, set_resolve: bool,
                        niter: int, soft_labels: bool, inits: list,
                        solver: str = 'fast', exact_states: int = 0,
                        stop_tol: float = 1e-6,
                        traces: Optional[list] = None) -> list:
    """:func:`optimise_partition` of several independent partitions, the
    same-sized ones stepped together so that the per-output arithmetic
    (modular costs, 50/50 pairs, input-by-input dominance, margin removal,
    count updates, resolve costs) is done once for all of them; each partition's steps, early stop and resolve are
    exactly those of its own run."""
    out = [None] * len(costs)
    sizes = sorted({c.shape for c in costs})
    for shape in sizes:
        idx = [k for k, c in enumerate(costs) if c.shape == shape]
        res = _optimise_group(
            [costs[k] for k in idx], [As[k] for k in idx], beta, gamma, thres,
            thres_type, set_resolve, niter, soft_labels,
            [inits[k] for k in idx], solver, exact_states, stop_tol,
            None if traces is None else [traces[k] for k in idx])
        for k, z in zip(idx, res):
            out[k] = z
    return out


def _optimise_group(costs, As, beta, gamma, thres, thres_type, set_resolve,
                    niter, soft_labels, inits, solver, exact_states,
                    stop_tol, traces):
    n, h, w = costs[0].shape
    G, P = len(costs), h * w
    A = np.stack(As)
    steps = [PartitionSolver(
        np.ascontiguousarray(c.reshape(n, P).T, dtype=np.float64), h, w,
        beta, solver, exact_states) for c in costs]
    fast = solver == 'fast'
    if fast:
        dmax = np.stack([st.dmax for st in steps])
        offdiag, lower = steps[0].offdiag, steps[0].lower
        unary_in = np.stack([st.unary_in for st in steps])  # [G, P, n]
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
            ap = np.einsum('gmn,gn->gm', A, total)
            over = ap > thres
            offset = 2 * gamma * over * (ap - thres
                                         if thres_type == 'soft' else ap)
            if add_cost is not None:
                offset = offset + gamma * add_cost[:, i]
            if fast:
                pairs = soft_pairs_batch(counts[:, i]) if soft else \
                    [[] for _ in range(G)]
                kept = ~stage_one_removed(dmax, offset, offdiag, lower,
                                          member_mask(pairs, n))
                unary = unary_in + offset[:, None, :]
                near = near_labels(unary, kept, margin) \
                    if steps[0].margin_prune else kept
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


def partition_problem(sal_blocks: torch.Tensor, a_dist: torch.Tensor,
                      omega: float, eta: float, alpha: float
                      ) -> Tuple[np.ndarray, np.ndarray]:
    r"""``(cost [n, h, w], A [n, n])`` of one partition (reference
    ``mixup_process`` + the prior of ``get_onehot_matrix``): normalised
    block saliency :math:`\hat s`, :math:`u = -\hat s - \eta/(hw) \log(\pi +
    10^{-8})` with :math:`\pi \sim Dir(\alpha 1_n)`, :math:`A = (1-\omega) I
    + \omega\, n\, A_{dist} / \sum A_{dist}` (:math:`A = (1-\omega) I` when
    all peaks coincide; the reference divides by zero there)."""
    n, h, w = sal_blocks.shape
    s = sal_blocks.double()
    s = s / s.flatten(1).sum(1).clamp_min(1e-12).view(n, 1, 1)
    prior = torch.distributions.Dirichlet(
        torch.full((n, ), float(alpha), dtype=torch.float64)).sample()
    cost = -s - eta / (h * w) * torch.log(prior + 1e-8).view(n, 1, 1)
    dist = a_dist.double()
    total = dist.sum()
    dist = dist / total * n if total > 0 else torch.zeros_like(dist)
    A = (1 - omega) * torch.eye(n, dtype=torch.float64) + omega * dist
    return cost.numpy(), A.numpy()
