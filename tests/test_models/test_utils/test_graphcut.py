"""Exact alpha-beta-swap labelling (gco) of small grid energies.

GCO's swap moves are checked against brute force: the returned labelling
admits no improving alpha-beta swap move (every move enumerated), a
brute-force alpha-beta-swap run in GCO's pair order reaches the same energy,
2-label problems reach the global optimum, and the batched (disjoint-grid)
solver gives the per-sample reference call's labels.
"""
import itertools

import numpy as np
import pytest

pytest.importorskip('gco')

from adautomix_mm.models.utils.graphcut import (grid_energy,  # noqa: E402
                                                 swap_labels)


def random_problem(rng, b, h, w, n_labels):
    unary = rng.integers(0, 1000, (b, h, w, n_labels)).astype(np.int32)
    w_v = rng.integers(0, 400, (b, h - 1, w)).astype(np.int32)
    w_h = rng.integers(0, 400, (b, h, w - 1)).astype(np.int32)
    ks = np.arange(n_labels)
    smooth = ((ks[:, None] - ks[None]) ** 2 / (n_labels - 1) ** 2)
    return unary, w_v, w_h, smooth.astype(np.float32)


def best_swap_move(labels, a, b, energy):
    """Lowest energy over every relabelling of the a/b sites by {a, b}."""
    sites = np.flatnonzero((labels == a) | (labels == b))
    best, best_lab = energy(labels), labels
    for choice in itertools.product((a, b), repeat=len(sites)):
        cand = labels.copy()
        cand[sites] = choice
        e = energy(cand)
        if e < best:
            best, best_lab = e, cand
    return best, best_lab


def brute_force_swap(energy, n_sites, n_labels):
    """Alpha-beta swap with exhaustive moves, GCO's pair order, from all 0."""
    labels = np.zeros(n_sites, dtype=int)
    pairs = [(i, j) for i in range(n_labels)
             for j in range(n_labels - 1, -1, -1) if i < j]
    current = energy(labels)
    while True:
        for a, b in pairs:
            _, labels = best_swap_move(labels, a, b, energy)
        new = energy(labels)
        if new >= current:
            return labels
        current = new


@pytest.mark.parametrize('seed', range(6))
def test_swap_labels_exact_on_small_random_grids(seed):
    rng = np.random.default_rng(seed)
    h, w, n_labels, b = 2, 3, 3, 4
    unary, w_v, w_h, smooth = random_problem(rng, b, h, w, n_labels)
    batched = swap_labels(unary, w_v, w_h, smooth, 'batched')
    single = swap_labels(unary, w_v, w_h, smooth, 'per_sample')
    np.testing.assert_array_equal(batched, single)
    for i in range(b):
        def energy(lab, i=i):
            return grid_energy(lab.reshape(h, w), unary[i], w_v[i], w_h[i],
                               smooth)
        labels = batched[i].ravel()
        e = energy(labels)
        # no alpha-beta swap move improves the result (local optimality)
        for a, c in itertools.combinations(range(n_labels), 2):
            assert best_swap_move(labels, a, c, energy)[0] >= e
        # the same energy as alpha-beta swap run by brute force
        assert energy(brute_force_swap(energy, h * w, n_labels)) == e
        # and never below the global optimum
        glob = min(energy(np.array(lab)) for lab in
                   itertools.product(range(n_labels), repeat=h * w))
        assert e >= glob


@pytest.mark.parametrize('seed', range(4))
def test_two_labels_reach_global_optimum(seed):
    rng = np.random.default_rng(100 + seed)
    h, w = 3, 3
    unary, w_v, w_h, smooth = random_problem(rng, 3, h, w, 2)
    labels = swap_labels(unary, w_v, w_h, smooth)
    for i in range(3):
        glob = min(
            grid_energy(np.array(lab).reshape(h, w), unary[i], w_v[i], w_h[i],
                        smooth)
            for lab in itertools.product((0, 1), repeat=h * w))
        assert grid_energy(labels[i], unary[i], w_v[i], w_h[i],
                           smooth) == glob


def test_batched_equals_per_sample_on_large_batches():
    rng = np.random.default_rng(7)
    for n in (4, 8, 16):
        unary, w_v, w_h, smooth = random_problem(rng, 40, n, n, 3)
        np.testing.assert_array_equal(
            swap_labels(unary, w_v, w_h, smooth, 'batched'),
            swap_labels(unary, w_v, w_h, smooth, 'per_sample'))


def test_bad_solver_and_missing_gco(monkeypatch):
    unary, w_v, w_h, smooth = random_problem(np.random.default_rng(0), 1, 2,
                                             2, 2)
    with pytest.raises(ValueError, match='solver'):
        swap_labels(unary, w_v, w_h, smooth, 'parallel')
    import sys
    monkeypatch.setitem(sys.modules, 'gco', None)
    with pytest.raises(ImportError, match='gco-wrapper'):
        swap_labels(unary, w_v, w_h, smooth)
