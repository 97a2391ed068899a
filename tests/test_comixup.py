"""Co-Mixup: label areas on hand-built masks, the optimiser against its
random start and against brute force on tiny problems (an exact dynamic
programme over grid columns stands in for the swap there), the solver pieces
(label removal of ``prune_labels``, direct GCO calls, the 50/50 pick's tie
rule, the two hard thresholds) against their definitions, and errors on bad
arguments. Comparisons with the official code: test_comixup_reference.py."""
import itertools
import sys

import numpy as np
import pytest
import torch

import adautomix_mm  # noqa: F401
from adautomix_mm.models.saliency_mixers import CoMixup
from adautomix_mm.models.utils import comixup_solver as cs
from adautomix_mm.models.utils import graphcut
from mmpretrain.registry import MODELS

pytest.importorskip('gco', reason='Co-Mixup needs gco-wrapper')


def energy(labels, unary, pairwise, beta, h, w):
    """Grid energy of labels ``[P]`` (``unary [P, L]``, edge weight beta)."""
    return graphcut.grid_energy(
        np.asarray(labels).reshape(h, w), unary.reshape(h, w, -1),
        np.full((h - 1, w), beta), np.full((h, w - 1), beta), pairwise)


def brute_force_grid(unary, pairwise, beta, h, w):
    """Minimum energy over all labellings of a tiny grid."""
    return min(
        energy(np.array(lab), unary, pairwise, beta, h, w)
        for lab in itertools.product(range(unary.shape[1]), repeat=h * w))


def exact_grid_labelling(unary, pairwise, beta, h, w):
    r"""Exact minimiser (test oracle) by dynamic programming over the grid's
    columns: the state is a column's labelling (:math:`L^h` states), the
    transition :math:`\min_{s'} D(s') + \beta \sum_r P(s'_r, s_r)` is
    separable over the rows and taken one row at a time."""
    if h > w:  # DP along the longer side, state over the shorter
        return exact_grid_labelling(
            unary.reshape(h, w, -1).transpose(1, 0, 2).reshape(h * w, -1),
            pairwise, beta, w, h).reshape(w, h).T.reshape(-1)
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


@pytest.fixture
def exact_steps(monkeypatch):
    """Solve every output step of the 'fast' solver exactly (the oracle)."""
    def solve(self, unary, pairwise):
        return exact_grid_labelling(unary, pairwise, self.beta, self.h,
                                    self.w)
    monkeypatch.setattr(cs.PartitionSolver, 'solve', solve)


def random_partition(seed, n=6, h=4, w=4):
    rng = np.random.default_rng(seed)
    sal = torch.from_numpy(rng.random((n, h, w)) ** 3)
    a_dist = torch.from_numpy(rng.integers(0, 20, (n, n))).float()
    a_dist = (a_dist + a_dist.T) * (1 - torch.eye(n))
    torch.manual_seed(seed)
    return cs.partition_problem(sal, a_dist, 0.001, 0.05,
                                cs.draw_prior(n, 2.0))


def coefficients(h=4, w=4):
    """Reference defaults normalised by the block grid."""
    cells = h * w
    return dict(beta=0.32 / cells, gamma=1.0 / cells, thres=0.83 * cells)


# ------------------------------------------------------------ label mixing
def test_labels_equal_mask_areas_on_hand_built_masks(monkeypatch):
    mixer = CoMixup(m_part=2)
    x = torch.arange(4.0).view(4, 1, 1, 1).expand(4, 2, 4, 4).clone()
    y = torch.eye(3)[[0, 1, 2, 0]]
    z0 = torch.zeros(2, 2, 2, 2)  # outputs 0, 1 of inputs 0, 1
    z0[0, :, 0, 0] = 1  # left column: input 0
    z0[0, :, 1, 1] = 1  # right column: input 1
    z0[1, 0, 0, 0] = 0.5  # one 50/50 block
    z0[1, 0, 0, 1] = 0.5
    z0[1, 0, 1, 1] = 1
    z0[1, 1, :, 1] = 1
    z1 = torch.zeros(2, 2, 2, 2)  # outputs 2, 3 of inputs 2, 3
    z1[0, :, :, 1] = 1  # all input 3
    z1[1, 0, :, 0] = 1
    z1[1, 1, :, 1] = 1
    monkeypatch.setattr(mixer, 'masks', lambda sal: [(0, z0), (2, z1)])
    mixed, target = mixer(x, y, torch.rand(4, 4, 4))
    expected = torch.tensor([
        [0.5, 0.5, 0.0],  # half input 0 (class 0), half input 1 (class 1)
        [0.125, 0.875, 0.0],  # 1/4 block half 0 -> 1/8 of class 0
        [1.0, 0.0, 0.0],  # input 3 has class 0
        [0.5, 0.0, 0.5],  # top half input 2 (class 2), bottom input 3
    ])
    assert torch.allclose(target, expected)
    assert torch.allclose(target.sum(1), torch.ones(4))
    # pixels: nearest-upsampled blocks (2x2 pixels each)
    assert torch.equal(mixed[0, 0, :, :2], torch.zeros(4, 2))
    assert torch.equal(mixed[0, 0, :, 2:], torch.ones(4, 2))
    assert torch.equal(mixed[1, 0, :2, :2], torch.full((2, 2), 0.5))
    assert torch.equal(mixed[2], torch.full((2, 4, 4), 3.0))
    assert torch.equal(mixed[3, 0, 2:], torch.full((2, 4), 3.0))


def test_mixer_end_to_end_rows_sum_to_one_and_use_partitions():
    torch.manual_seed(0)
    x, y = torch.randn(10, 3, 16, 16), torch.eye(10)
    sal = torch.rand(10, 16, 16)
    mixed, target = MODELS.build(dict(type='CoMixup', m_part=5))(x, y, sal)
    assert mixed.shape == x.shape
    assert torch.allclose(target.sum(1), torch.ones(10))
    # an output only takes inputs of its own partition of 5
    assert target[:5, 5:].abs().sum() == 0 and target[5:, :5].abs().sum() == 0


# --------------------------------------------------------------- optimiser
@pytest.mark.parametrize('seed', range(6))
@pytest.mark.parametrize('solver', cs.COMIXUP_SOLVERS)
def test_optimised_objective_never_worse_than_random_start(seed, solver):
    cost, A = random_partition(seed)
    co = coefficients()
    trace = []
    torch.manual_seed(seed)
    init = torch.randint(0, 6, (6, 4, 4)).numpy()
    z = cs.optimise_partition(cost, A, **co, init=init, solver=solver,
                              trace=trace)
    start = np.eye(6)[init]
    assert trace[0] == pytest.approx(cs.comixup_objective(
        cost, start, co['beta'], co['gamma']))
    assert trace[-1] <= trace[0]
    thr = dict(A=A, thres=co['thres'])
    assert cs.comixup_objective(cost, z, co['beta'], co['gamma'], **thr) \
        <= cs.comixup_objective(cost, start, co['beta'], co['gamma'], **thr)
    # rows of every labelling are distributions over the inputs
    assert np.allclose(z.sum(-1), 1.0)


def test_partitions_stepped_together_equal_separate_runs():
    """Lockstep over partitions (with a smaller last one and different
    early stops) gives each partition its own run's labelling."""
    probs = [random_partition(s, n=n) for s, n in ((0, 6), (1, 6), (2, 4))]
    co = coefficients()
    inits = [np.random.default_rng(s).integers(0, c.shape[0], c.shape)
             for s, (c, _) in enumerate(probs)]
    together = cs.optimise_partitions(
        [c for c, _ in probs], [a for _, a in probs], co['beta'],
        co['gamma'], co['thres'], 'hard', True, 6, True, inits)
    for (c, a), init, z in zip(probs, inits, together):
        alone = cs.optimise_partition(c, a, **co, niter=6, init=init)
        assert np.array_equal(z, alone)


@pytest.mark.parametrize('seed', range(4))
def test_sweeps_descend_the_objective_when_each_step_is_exact(
        seed, exact_steps):
    """Without threshold, compatibility, 50/50 labels and resolve costs the
    modular step is the exact change of the objective in one output, so with
    exact steps every sweep is a descent step."""
    cost, _ = random_partition(seed, n=4, h=3, w=3)
    co = coefficients(3, 3)
    trace = []
    cs.optimise_partition(cost, np.eye(4), co['beta'], 4 * co['gamma'],
                          thres=-1.0, set_resolve=False, niter=6,
                          soft_labels=False, stop_tol=0.0, trace=trace)
    assert all(b <= a + 1e-12 for a, b in zip(trace, trace[1:]))


@pytest.mark.parametrize('seed', range(4))
def test_equals_brute_force_optimum_of_tiny_decoupled_problems(
        seed, exact_steps):
    """gamma = 0: outputs are independent, so one sweep of exact steps is the
    global optimum; brute force over all one-hot labellings of the 2 outputs
    of 2 inputs on a 2x3 grid (2^12 labellings)."""
    cost, _ = random_partition(seed, n=2, h=2, w=3)
    beta = 0.3
    z = cs.optimise_partition(cost, np.eye(2), beta, 0.0, thres=0.0,
                              set_resolve=False, niter=2, soft_labels=False)
    best = min(
        cs.comixup_objective(cost, np.eye(2)[np.array(lab).reshape(2, 2, 3)],
                             beta, 0.0)
        for lab in itertools.product(range(2), repeat=12))
    assert cs.comixup_objective(cost, z, beta, 0.0) == pytest.approx(best)


@pytest.mark.parametrize('seed', range(6))
def test_output_step_equals_brute_force_on_tiny_grids(seed, exact_steps):
    """One output step of the fast solver with ``prune_labels`` (dominance
    removal) and exact steps, with 50/50 labels, reaches the brute-force
    minimum of its energy: the removal keeps the minimum; the reference's
    swap reaches no lower energy."""
    rng = np.random.default_rng(seed)
    n, h, w = 4, 2, 2
    unary_in = rng.normal(0, 0.1, (h * w, n))
    offset = np.where(rng.random(n) < 0.3, 1.5, 0.0)
    count = np.array([2.0, 3.0, 0.0, 1.0])
    beta = 0.05
    step = cs.PartitionSolver(unary_in, h, w, beta, 'fast', prune_labels=True)
    lab, weights = step(offset, count, soft_labels=True)
    unary, pairwise, _ = cs.output_energy(unary_in + offset, count, True)
    # map the step's (reduced) labels back to the full label set
    full = [int(np.flatnonzero((cs.output_energy(
        unary_in + offset, count, True)[2] == weights[k]).all(1))[0])
        for k in lab]
    found = energy(np.array(full), unary, pairwise, beta, h, w)
    best = brute_force_grid(unary, pairwise, beta, h, w)
    assert found == pytest.approx(best, abs=1e-12)
    swap = graphcut.cut_grid(unary, pairwise, beta, h, w)
    assert energy(swap, unary, pairwise, beta, h, w) >= best - 1e-9


@pytest.mark.parametrize('seed', range(6))
def test_potts_step_equals_brute_force_on_tiny_grids(seed, exact_steps):
    """A step without 50/50 labels (``prune_labels``: dominance and margin
    removal; exact steps) reaches the brute-force minimum over all input
    labels."""
    rng = np.random.default_rng(seed)
    n, h, w, beta = 5, 2, 3, 0.04
    unary_in = rng.normal(0, 0.1, (h * w, n))
    offset = np.where(rng.random(n) < 0.4, 0.5, 0.0)
    step = cs.PartitionSolver(unary_in, h, w, beta, 'fast', prune_labels=True)
    lab, weights = step(offset, np.ones(n), soft_labels=False)
    assert weights is None
    unary, potts = unary_in + offset, 1 - np.eye(n)
    assert energy(lab, unary, potts, beta, h, w) == pytest.approx(
        brute_force_grid(unary, potts, beta, h, w), abs=1e-12)


@pytest.mark.parametrize('seed', range(10))
def test_removing_dominated_labels_keeps_the_minimum(seed):
    rng = np.random.default_rng(seed)
    h, w, n = 2, 2, 5
    unary = rng.normal(0, 0.1, (h * w, n))
    unary[:, 3] = unary[:, 1] + rng.random(h * w) * 0.2  # dominated by 1
    unary[:, 4] = unary[:, 0]  # tie with 0
    pairwise = 1 - np.eye(n)
    pairwise[2, 0] = pairwise[0, 2] = 0.25
    keep = cs.undominated_labels(unary, pairwise)
    assert 3 not in keep and len({0, 4} & set(keep)) <= 1
    beta = 0.1
    sub = brute_force_grid(unary[:, keep], pairwise[np.ix_(keep, keep)],
                              beta, h, w)
    assert sub == pytest.approx(brute_force_grid(unary, pairwise, beta, h,
                                                    w))


def test_pair_costs_limit_dominance():
    """An input in a 50/50 pair is cheaper next to its pair label, so an
    input outside the pair cannot replace it even with a lower unary."""
    unary = np.array([[0.3, 0.0, 0.5]] * 4)
    pairwise = 1 - np.eye(3)
    pairwise[2, 0] = pairwise[0, 2] = 0.25  # label 2 is a 50/50 with 0
    assert 0 in cs.undominated_labels(unary, pairwise)


@pytest.mark.parametrize('seed', range(6))
def test_direct_gco_calls_match_cut_grid_graph(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    unary = rng.normal(0, 0.1, (16, n))
    pairwise = 1 - np.eye(n)
    if n > 2:
        pairwise[-1, 0] = pairwise[0, -1] = 0.25
    assert np.array_equal(
        graphcut.GridSwap(4, 4, 0.02)(unary, pairwise),
        np.asarray(graphcut.cut_grid(unary, pairwise, 0.02, 4, 4)).ravel())


@pytest.mark.parametrize('h,w', [(2, 3), (3, 2), (3, 3)])
def test_exact_dp_oracle_equals_brute_force(h, w):
    rng = np.random.default_rng(h * 10 + w)
    unary = rng.normal(0, 0.1, (h * w, 3))
    pairwise = 1 - np.eye(3)
    pairwise[1, 2] = pairwise[2, 1] = 0.25
    lab = exact_grid_labelling(unary, pairwise, 0.07, h, w)
    assert energy(lab, unary, pairwise, 0.07, h, w) == pytest.approx(
        brute_force_grid(unary, pairwise, 0.07, h, w))


def test_resolve_duplicates_as_reference():
    assigned = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]], bool)
    add = cs.resolve_duplicates(assigned)
    # outputs 0 and 1 share {0, 1}: 0 pays on input 0, 1 on input 1;
    # outputs 2 and 3 share a single input: nothing
    assert np.array_equal(add, [[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize('seed', range(3))
def test_batched_pairs_and_resolve_equal_per_output_functions(seed):
    """The 'fast' solver's all-partitions-at-once 50/50 pairs and resolve
    costs are those of the per-output reference functions (ties in the
    counts, 0/1/2/>=3 used inputs, duplicated assignments)."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 3, (40, 6)) * (rng.random((40, 6)) < 0.5)
    counts[:4] = [[0] * 6, [0, 2, 0, 0, 0, 0], [0, 1, 0, 0, 3, 0],
                  [2, 0, 2, 1, 2, 0]]  # 0, 1, 2 used; ties at the top
    assert cs.soft_pairs_batch(counts.astype(float)) == [
        cs.soft_pairs(c.astype(float)) for c in counts]
    assigned = rng.random((8, 6, 6)) < 0.4
    assigned[:, 3] = assigned[:, 1]  # duplicates (some with < 2 inputs)
    assigned[:, 5] = assigned[:, 1]
    assert np.array_equal(cs.resolve_duplicates_batch(assigned), np.stack(
        [cs.resolve_duplicates(a) for a in assigned]))


@pytest.mark.parametrize('thres_type,mode', [
    ('hard', 'reference'), ('hard', 'paper'), ('soft', 'reference')])
def test_fast_and_gco_loop_give_identical_labellings(thres_type, mode):
    """The batched, memoised, directly called solver and the straightforward
    per-output loop reach the same labellings on the same problems (what the
    benchmark's speed ratio compares), soft threshold included."""
    probs = [random_partition(s, n=8) for s in range(4)]
    co = coefficients()
    inits = [np.random.default_rng(s).integers(0, c.shape[0], c.shape)
             for s, (c, _) in enumerate(probs)]
    args = ([c for c, _ in probs], [a for _, a in probs], co['beta'],
            co['gamma'], co['thres'], thres_type, True, 4, True, inits)
    for a, b in zip(
            cs.optimise_partitions(*args, hard_thres_mode=mode),
            cs.optimise_partitions(*args, solver='gco_loop',
                                   hard_thres_mode=mode)):
        assert np.array_equal(a, b)


def test_hard_threshold_forms_on_a_hand_computed_case():
    """Reference: ((A p > tau) * A) @ p, the mask indexed by the column;
    paper: [A p > tau] * A p."""
    A = np.array([[0.9, 0.1, 0.0], [0.1, 0.9, 0.0], [0.0, 0.0, 1.0]])
    p = np.array([10.0, 2.0, 4.0])
    # A p = [9.2, 2.8, 4.0]; over tau = 3: [True, False, True]
    ref = cs.modular_penalty(p, A, 0.5, 3.0, 'hard', 'reference')
    paper = cs.modular_penalty(p, A, 0.5, 3.0, 'hard', 'paper')
    assert np.allclose(ref, [0.9 * 10, 0.1 * 10, 4.0])
    assert np.allclose(paper, [9.2, 0.0, 4.0])
    soft = cs.modular_penalty(p, A, 0.5, 3.0, 'soft', 'reference')
    assert np.allclose(soft, [6.2, 0.0, 1.0])
    assert np.allclose(cs.modular_penalty(p, A, 0.5, 3.0, 'soft', 'paper'),
                       soft)
    # with A = I both hard forms agree
    eye = np.eye(3)
    assert np.allclose(cs.modular_penalty(p, eye, 0.5, 3.0, 'hard'),
                       cs.modular_penalty(p, eye, 0.5, 3.0, 'hard', 'paper'))


def test_fifty_fifty_pick_breaks_ties_towards_the_lower_index():
    """The three most used inputs of an output: larger count first, equal
    counts by the lower input index (torch.topk leaves ties unordered)."""
    count = np.array([0.0, 2.0, 5.0, 2.0, 0.0, 2.0, 1.0])
    assert cs.soft_pairs(count) == [(1, 2), (1, 3), (2, 3)]
    count = np.array([3.0, 0.0, 3.0, 3.0, 3.0])
    assert cs.soft_pairs(count) == [(0, 2), (0, 3), (2, 3)]
    assert cs.soft_pairs_batch(np.stack([count, count[::-1].copy()])) == [
        [(0, 2), (0, 3), (2, 3)], [(0, 1), (0, 2), (1, 2)]]


def test_compatibility_and_prior():
    sal = torch.zeros(3, 8, 8)
    sal[0, 0, 0] = sal[1, 7, 7] = sal[2, 0, 7] = 1.0
    dist = cs.compatibility(sal, kernel=1)
    assert torch.equal(dist, torch.tensor([[0., 14., 7.], [14., 0., 7.],
                                           [7., 7., 0.]]))
    # coinciding peaks: no division by zero
    cost, A = cs.partition_problem(torch.rand(3, 2, 2), torch.zeros(3, 3),
                                   0.001, 0.05, cs.draw_prior(3, 2.0))
    assert np.isfinite(cost).all() and np.allclose(A, 0.999 * np.eye(3))


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize('kwargs,key', [
    (dict(m_part=0), 'm_part'), (dict(m_block_num=0), 'm_block_num'),
    (dict(alpha=0.0), 'alpha'), (dict(thres_type='medium'), 'thres_type'),
    (dict(solver='qpbo'), 'solver'), (dict(niter=0), 'niter'),
    (dict(omega=2.0), 'omega'), (dict(set_resolve=1), 'set_resolve'),
    (dict(clean_lam=-1.0), 'clean_lam'), (dict(beta='0.3'), 'beta'),
    (dict(hard_thres_mode='matrix'), 'hard_thres_mode'),
    (dict(prune_labels=1), 'prune_labels'),
    (dict(prune_labels=True, solver='gco_loop'), 'prune_labels'),
])
def test_bad_arguments_name_the_key(kwargs, key):
    with pytest.raises(ValueError, match=key):
        MODELS.build(dict(type='CoMixup', **kwargs))


def test_unknown_key_is_rejected():
    with pytest.raises(TypeError, match='m_lambda'):
        MODELS.build(dict(type='CoMixup', m_lambda=1.0))


def test_non_square_inputs_are_rejected():
    x, y = torch.rand(2, 3, 8, 12), torch.eye(2)
    with pytest.raises(ValueError, match='square'):
        CoMixup(m_block_num=4)(x, y, torch.rand(2, 8, 12))


@pytest.mark.parametrize('m_block_num,side', [(4, 30), (3, 32)])
def test_block_number_must_divide_the_side(m_block_num, side):
    x, y = torch.rand(2, 3, side, side), torch.eye(2)
    with pytest.raises(ValueError, match=f'm_block_num={m_block_num}'):
        CoMixup(m_block_num=m_block_num)(x, y, torch.rand(2, side, side))


def test_random_block_number_checked_per_batch(monkeypatch):
    """m_block_num=-1 draws 2^k per batch; a draw that does not divide the
    side (8 at 28 px) is refused naming the draw."""
    monkeypatch.setattr(np.random, 'randint', lambda lo, hi: 3)
    with pytest.raises(ValueError, match='drawn 8'):
        CoMixup(m_block_num=-1)(torch.rand(2, 1, 28, 28), torch.eye(2),
                                torch.rand(2, 28, 28))


def test_saliency_shape_checked():
    with pytest.raises(ValueError, match='saliency'):
        CoMixup()(torch.rand(2, 3, 8, 8), torch.eye(2), torch.rand(2, 4, 4))


def test_missing_gco_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, 'gco', None)
    with pytest.raises(ImportError, match='gco-wrapper'):
        CoMixup()


def test_reference_interface_attributes():
    mixer = CoMixup()
    assert mixer.saliency_mode == 'train' and mixer.clean_lam == 1.0
