"""Co-Mixup against the official code (snu-mllab/Co-Mixup ``mixup_process``
/ ``get_onehot_matrix``) on fixed inputs with the official draws replayed.

``tests/fixtures/comixup/comixup_reference.npz`` was written by
``tests/fixtures/comixup/make_comixup_fixtures.py`` (the official code run on
the CPU; ties of its ``torch.topk`` broken towards the lower index, the rule
the package documents). Per case it holds the inputs, the Dirichlet prior and
random start of every partition, the official labellings, mixed images and
targets, and the official objective ``obj_fn`` of the start and solution.
"""
from pathlib import Path

import numpy as np
import pytest
import torch

from adautomix_mm.models.saliency_mixers import CoMixup
from adautomix_mm.models.utils import comixup_solver as cs

pytest.importorskip('gco', reason='Co-Mixup needs gco-wrapper')

FIXTURE = Path(__file__).parent / 'fixtures' / 'comixup' / \
    'comixup_reference.npz'
REF = np.load(FIXTURE)
CASES = [str(c['name']) for c in REF['cases']]
HARD = [c for c in CASES if c.startswith('hard')]
SOFT = [c for c in CASES if c.startswith('soft')]


def case_info(name):
    return REF['cases'][CASES.index(name)]


def parts(name):
    """Per partition the official ``(prior, init [n, h, w], cost, A, z)``."""
    out, k = [], 0
    while f'{name}/part{k}/cost' in REF:
        q = f'{name}/part{k}/'
        cost = REF[q + 'cost']
        out.append((REF[q + 'prior'], REF[q + 'init'].reshape(cost.shape),
                    cost.astype(np.float64), REF[q + 'A'].astype(np.float64),
                    REF[q + 'z2'] / 2.0))
        k += 1
    return out


def run_package(name, monkeypatch, **options):
    """The package's CoMixup on the case's inputs with the official draws:
    ``(labellings per partition, mixed images, mixed targets)``."""
    info = case_info(name)
    mixer = CoMixup(m_part=int(info['m_part']),
                    m_block_num=int(info['m_block_num']),
                    thres_type=str(info['thres_type']),
                    set_resolve=bool(info['set_resolve']),
                    niter=int(info['niter']), **options)
    official = parts(name)
    priors = [torch.from_numpy(p.astype(np.float64)) for p, *_ in official]
    inits = [init for _, init, *_ in official]
    monkeypatch.setattr(mixer, 'draw_prior', lambda n: priors.pop(0))
    monkeypatch.setattr(mixer, 'draw_init', lambda n, h, w: inits.pop(0))
    sal = torch.from_numpy(REF[name + '/saliency'])
    zs = [z.numpy() for _, z in mixer.masks(sal)]
    assert not priors and not inits  # every official draw was used
    images = torch.from_numpy(REF[name + '/images']).float()
    targets = torch.eye(10)[torch.from_numpy(REF[name + '/labels'])]
    monkeypatch.setattr(mixer, 'masks', lambda s: [
        (k * mixer.m_part, torch.from_numpy(z)) for k, z in enumerate(zs)])
    mixed, mixed_targets = mixer(images, targets, sal)
    return zs, mixed, mixed_targets


def objectives(name, zs):
    """Official objective (``obj_fn``) of labellings on the official
    problems (the package's :func:`comixup_objective`, checked against the
    official values below)."""
    out = []
    for (_, _, cost, _, _), z in zip(parts(name), zs):
        cells = cost.shape[1] * cost.shape[2]
        out.append(cs.comixup_objective(cost, z, 0.32 / cells, 1.0 / cells))
    return np.array(out)


@pytest.mark.parametrize('name', CASES)
def test_problem_and_objective_as_official(name):
    """Block saliency, prior, compatibility ``A`` and the objective equal
    the official ones (float32 there, float64 here)."""
    info = case_info(name)
    sal = torch.from_numpy(REF[name + '/saliency'])
    a_dist = cs.compatibility(sal)
    assert np.array_equal(a_dist.numpy(), REF[name + '/a_dist'])
    side = sal.shape[-1] // int(info['m_block_num'])
    blocks = torch.nn.functional.avg_pool2d(sal[:, None], side)[:, 0]
    m = int(info['m_part'])
    for k, (prior, init, cost, A, z) in enumerate(parts(name)):
        s = slice(k * m, k * m + len(prior))
        mine, mine_A = cs.partition_problem(
            blocks[s], a_dist[s, s], 0.001, 0.05,
            torch.from_numpy(prior.astype(np.float64)))
        np.testing.assert_allclose(mine, cost, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(mine_A, A, rtol=1e-6, atol=1e-8)
    zs = [z for *_, z in parts(name)]
    np.testing.assert_allclose(objectives(name, zs), REF[name + '/obj'],
                               rtol=1e-5)
    starts = [np.eye(len(p))[init] for p, init, *_ in parts(name)]
    np.testing.assert_allclose(objectives(name, starts),
                               REF[name + '/obj_init'], rtol=1e-5)


# the per-output gco loop is slower: a few cases of each kind
GCO_LOOP_CASES = ['hard_0', 'soft_3', 'hard_two_partitions', 'hard_blocks_8']


@pytest.mark.parametrize('name,solver', [(c, 'fast') for c in CASES] +
                         [(c, 'gco_loop') for c in GCO_LOOP_CASES])
def test_default_mode_reproduces_the_official_code(name, solver,
                                                   monkeypatch):
    """Reference mode (default options, either solver): the official
    labellings, mixed images and targets exactly, and so its objective."""
    zs, mixed, mixed_targets = run_package(name, monkeypatch, solver=solver)
    for z, (*_, z_ref) in zip(zs, parts(name)):
        assert np.array_equal(z, z_ref)
    assert torch.equal(mixed, torch.from_numpy(
        REF[name + '/mixed'].astype(np.float32)))
    np.testing.assert_allclose(mixed_targets.numpy(),
                               REF[name + '/mixed_target'], atol=1e-6)
    np.testing.assert_allclose(objectives(name, zs), REF[name + '/obj'],
                               rtol=1e-5)


def test_fixtures_exercise_the_tie_rule():
    """Ties at the third place of the 50/50 pick occur in the fixtures'
    runs, and torch's own CPU ``topk`` order changed the official
    labellings in some cases: the rule matters and is pinned above."""
    ties = REF['cases']['topk_ties']
    assert (ties > 0).sum() >= len(CASES) - 2
    assert not REF['cases']['native_topk_same'].all()


def test_paper_hard_threshold_differs_from_official_on_hard_cases(
        monkeypatch):
    """``hard_thres_mode='paper'`` (:math:`[Ap > \\tau] Ap`) leaves the soft
    threshold alone and changes the hard-threshold labellings (measured on
    all 15 hard cases: 11 differ; official objective of its solutions
    -17%..+13% of the official solution's; checked here on five)."""
    differ, rel = 0, []
    for name in ('hard_0', 'hard_1', 'hard_2', 'hard_5', 'hard_6',
                 'soft_0'):
        zs, _, _ = run_package(name, monkeypatch, hard_thres_mode='paper')
        same = all(np.array_equal(z, z_ref)
                   for z, (*_, z_ref) in zip(zs, parts(name)))
        if name in SOFT:
            assert same
        else:
            differ += not same
            rel.append(objectives(name, zs) / REF[name + '/obj'] - 1)
    assert differ == 4  # all but hard_0
    assert np.abs(np.concatenate(rel)).max() < 0.2


def test_pruned_labels_option_against_official(monkeypatch):
    """``prune_labels=True`` keeps each output energy's minimum but the swap
    may end elsewhere: measured on these fixtures it equals the official
    labellings on every hard-threshold case and differs on soft_3 and soft_4
    (official objective +4.7% and -4.4%)."""
    for name in ('hard_0', 'hard_5', 'soft_3', 'soft_4'):
        zs, _, _ = run_package(name, monkeypatch, prune_labels=True)
        same = all(np.array_equal(z, z_ref)
                   for z, (*_, z_ref) in zip(zs, parts(name)))
        assert same == name.startswith('hard')
        rel = objectives(name, zs) / REF[name + '/obj'] - 1
        assert np.abs(rel).max() < 0.06
