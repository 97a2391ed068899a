"""PuzzleMix transport stops its rounds early only when the result cannot
change: the plan equals the reference's n full rounds (explicit loops in
helpers.puzzlemix_oracle.reference_transport) where losers never win
again."""
import pytest
import torch

pytest.importorskip('gco')

from adautomix_mm.models.saliency_mixers import puzzlemix  # noqa: E402
from helpers.puzzlemix_oracle import reference_transport  # noqa: E402


def rounds_run(monkeypatch, mask, unary, eps):
    """Run mask_transport counting the rounds it plays (calls of the
    per-round fight)."""
    calls = []
    real = torch.Tensor.scatter_add_

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, 'scatter_add_', counting)
    source = puzzlemix.mask_transport(mask, unary, eps)
    monkeypatch.undo()
    return source, len(calls)


@pytest.mark.parametrize('eps', [0.0, 0.05, 0.8, 3.0])
@pytest.mark.parametrize('n', [2, 3, 5])
def test_early_stop_keeps_the_reference_plan(n, eps):
    g = torch.Generator().manual_seed(n * 10 + int(eps * 10))
    masks = [(torch.rand(4, 1, n, n, generator=g) > p).float()
             for p in (0.2, 0.5, 0.8)]
    masks.append(torch.zeros(4, 1, n, n))
    masks[-1][:, :, 0, 0] = 1  # one occupied position: many dead rows
    for mask in masks:
        unary = torch.rand(4, n, n, generator=g)**3
        unary[0] = 0  # all-zero saliency: ties everywhere
        unary = unary / unary.sum((1, 2), keepdim=True).clamp_min(1e-12)
        plan = puzzlemix.transport_plan(
            puzzlemix.mask_transport(mask, unary, eps))
        torch.testing.assert_close(plan,
                                   reference_transport(mask, unary, eps))


def test_settled_rounds_stop_and_unsettled_ones_run(monkeypatch):
    n = 6
    # every position occupied: each block keeps its own place at once
    full = torch.ones(1, 1, n, n)
    unary = torch.full((1, n, n), 1. / n**2)
    _, played = rounds_run(monkeypatch, full, unary, 0.8)
    assert played == 0  # settled in the first round, no cost update
    # one occupied corner, the salient blocks far from it: blocks fight
    # for the corner over several rounds before the losers are dead
    corner = torch.zeros(1, 1, n, n)
    corner[..., 0, 0] = 1
    unary = torch.linspace(1, 2, n * n).view(1, n, n)
    unary = unary / unary.sum()
    source, played = rounds_run(monkeypatch, corner, unary, 0.001)
    assert 0 < played < n
    torch.testing.assert_close(puzzlemix.transport_plan(source),
                               reference_transport(corner, unary, 0.001))
