r"""The one binding of GCO (``gco-wrapper``): alpha-beta-swap labellings of
grid energies, for PuzzleMix and Co-Mixup.

Energy of a labelling :math:`l` of an :math:`h \times w` grid:

.. math:: E(l) = \sum_p U_p(l_p) + \sum_{(p,q)} W_{pq}\, V(l_p, l_q)

with integer unary costs ``U`` and edge weights ``W`` (4-neighbourhood) and
a symmetric label cost ``V``. GCO (Veksler/Delong's graph-cut library,
wrapped by pyGCO: https://github.com/Borda/pyGCO, PyPI ``gco-wrapper``)
runs alpha-beta swaps to convergence. No maintained PyTorch library solves
these moves exactly, hence the compiled dependency.

A batch is solved either by one GCO call per sample (the reference,
snu-mllab/PuzzleMix ``graphcut_multi``) or, by default, as ONE GCO graph
holding the B grids as disjoint components: every swap move is a min cut,
which decomposes over components, so each grid gets the move it would get
alone, and the Python/ctypes set-up cost is paid once instead of B times
(GCO's instance table is a global ``std::map`` without a lock, so a thread
pool over per-sample calls would be unsafe; a process pool, the reference's
``--mp``, costs more than the cuts on small grids:
see ``benchmarks/results/graphcut.json``).

Co-Mixup solves one small grid per output step with a uniform edge weight:
:func:`cut_grid` (``gco.cut_grid_graph``, as the reference calls it) or
:class:`GridSwap` (the same GCO calls made directly, identical labels).
"""
import ctypes

import numpy as np

GCO_PACKAGE = 'gco-wrapper==3.0.9'
# how :func:`swap_labels` lays out a batch of grids
SWAP_SOLVERS = ('batched', 'per_sample')


def require_gco(method: str):
    """Import ``gco`` or fail naming the package to install."""
    try:
        import gco
    except ImportError as exc:
        raise ImportError(
            f'{method} solves its mask with graph cuts from the compiled '
            f'package `gco-wrapper`, which is not installed: run `pip install '
            f'"{GCO_PACKAGE}"` (or install adautomix_mm with its default '
            f'`make install`, which includes it).') from exc
    return gco


def grid_edges(h: int, w: int):
    """``(from, to)`` site indices of the vertical then horizontal edges, in
    GCO's grid order (row-major sites)."""
    idx = np.arange(h * w).reshape(h, w)
    src = np.r_[idx[:-1, :].ravel(), idx[:, :-1].ravel()]
    dst = np.r_[idx[1:, :].ravel(), idx[:, 1:].ravel()]
    return src, dst


def grid_energy(labels: np.ndarray, unary: np.ndarray, w_v: np.ndarray,
                w_h: np.ndarray, smooth: np.ndarray) -> float:
    """:math:`E(l)` of one ``[h, w]`` labelling (``unary [h, w, L]``,
    ``w_v [h-1, w]``, ``w_h [h, w-1]``, ``smooth [L, L]``)."""
    labels = np.asarray(labels).reshape(unary.shape[:2])
    data = np.take_along_axis(unary, labels[..., None], -1).sum()
    pair = (w_v * smooth[labels[:-1, :], labels[1:, :]]).sum() + \
        (w_h * smooth[labels[:, :-1], labels[:, 1:]]).sum()
    return float(data) + float(pair)


def swap_labels(unary: np.ndarray, w_v: np.ndarray, w_h: np.ndarray,
                smooth: np.ndarray, solver: str = 'batched',
                chunk: int = 16) -> np.ndarray:
    """Alpha-beta-swap labels ``[B, h, w]`` of B grid energies.

    Args:
        unary: ``[B, h, w, L]`` int32 costs. w_v: ``[B, h-1, w]`` int32.
        w_h: ``[B, h, w-1]`` int32. smooth: ``[L, L]`` symmetric float
            (GCO scales it by 100 and the other terms by 1e5/1e3, as pyGCO
            does for the reference's float label cost).
        solver: 'batched' (one graph of disjoint grids per ``chunk``
            samples: GCO sweeps all label pairs until the whole graph stops
            improving, so very large unions pay extra sweeps for their
            slowest grid) or 'per_sample'.
    """
    if solver not in SWAP_SOLVERS:
        raise ValueError(
            f'solver must be one of {SWAP_SOLVERS}, got {solver!r}')
    gco = require_gco('The graph-cut labelling')
    b, h, w, n_labels = unary.shape
    smooth = np.asarray(smooth, dtype=np.float32)
    if solver == 'per_sample':
        return np.stack([
            gco.cut_grid_graph(unary[i], smooth, w_v[i], w_h[i],
                               algorithm='swap').reshape(h, w)
            for i in range(b)
        ])
    if b > chunk:
        return np.concatenate([
            swap_labels(unary[i:i + chunk], w_v[i:i + chunk],
                        w_h[i:i + chunk], smooth, solver, chunk)
            for i in range(0, b, chunk)
        ])
    src, dst = grid_edges(h, w)
    offsets = (np.arange(b) * h * w)[:, None]
    weights = np.concatenate(
        [w_v.reshape(b, -1), w_h.reshape(b, -1)], axis=1)
    graph = gco.GCO()
    graph.create_general_graph(b * h * w, n_labels, energy_is_float=True)
    try:
        graph.set_data_cost(unary.reshape(b * h * w, n_labels))
        graph.set_all_neighbors((src[None] + offsets).ravel(),
                                (dst[None] + offsets).ravel(),
                                weights.ravel())
        graph.set_smooth_cost(smooth)
        graph.swap(-1)
        labels = graph.get_labels()
    finally:
        graph.destroy_graph()
    return labels.reshape(b, h, w)


# ------------------------------------- one grid, uniform edge weight (Co-Mixup)
def cut_grid(unary: np.ndarray, pairwise: np.ndarray, weight: float, h: int,
             w: int, method: str = 'The graph-cut labelling') -> np.ndarray:
    """Labels ``[h, w]`` of ``gco.cut_grid_graph`` (alpha-beta swap) on an
    ``h x w`` grid: float ``unary [h*w, L]``, ``pairwise [L, L]`` and the
    same ``weight`` on every edge."""
    gco = require_gco(method)
    return gco.cut_grid_graph(
        np.ascontiguousarray(unary.reshape(h, w, -1), dtype=np.float32),
        np.ascontiguousarray(pairwise, dtype=np.float32),
        np.full((h - 1, w), weight, np.float32),
        np.full((h, w - 1), weight, np.float32), algorithm='swap')


def _gco_library():
    """Own ctypes handle on gco-wrapper's compiled GCO library, with plain
    pointer arguments (its own handle checks every array argument in
    Python, a large share of a 16-cell problem's time), or None."""
    require_gco('The graph-cut labelling')
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
    """:func:`cut_grid` on one ``h x w`` grid with fewer Python calls: edges
    built once, the GCO C functions called directly, energies converted to
    integers exactly as ``gco.pygco`` does for float input (unary x 1e5,
    edge weights x 1e3, label costs x 1e2, truncated), so both give
    identical labellings for the same problem."""

    _lib = None

    def __init__(self, h: int, w: int, weight: float):
        if GridSwap._lib is None:
            GridSwap._lib = _gco_library() or False
        self.h, self.w, self.weight = h, w, weight
        s1, s2 = grid_edges(h, w)
        self.s1 = np.ascontiguousarray(s1, dtype=np.intc)
        self.s2 = np.ascontiguousarray(s2, dtype=np.intc)
        self.weights = (np.full(self.s1.size, weight, np.float32) *
                        1000).astype(np.intc)
        self.handle = np.empty(1, dtype=np.intc)
        self.energy = np.empty(1, dtype=np.longlong)
        # raw addresses of the constant buffers (``.ctypes.data`` builds a
        # Python object per access)
        self.ptrs = tuple(a.ctypes.data for a in (
            self.s1, self.s2, self.weights, self.handle, self.energy))
        self.smooth = {}  # (integer label costs, address) by float bytes

    def __call__(self, unary: np.ndarray, pairwise: np.ndarray) -> np.ndarray:
        """Labels ``[h*w]`` of float ``unary [h*w, L]``, ``pairwise [L, L]``."""
        lib = self._lib
        if not lib:  # another gco-wrapper layout: its public API
            return np.asarray(cut_grid(unary, pairwise, self.weight, self.h,
                                       self.w)).reshape(-1)
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

