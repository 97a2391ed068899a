"""The PuzzleMix reference's greedy transport written with explicit loops
(the oracle of tests/test_models/test_saliency_mixers/test_puzzlemix*.py)."""
import torch

from adautomix_mm.models.saliency_mixers.puzzlemix import transport_cost


def reference_transport(mask, unary, eps):
    """The reference's greedy assignment written with explicit loops."""
    b, n = mask.shape[0], mask.shape[-1]
    c = transport_cost(n)
    plans = []
    for s in range(b):
        occ = [float(v > 0) for v in mask[s].flatten()]
        u = unary[s].flatten()
        cost = [[eps * float(c[i, j]) - float(u[i]) * occ[j]
                 for j in range(n * n)] for i in range(n * n)]
        for _ in range(n):
            choice = [min(range(n * n), key=lambda j: (cost[i][j], j))
                      for i in range(n * n)]
            won = [[0.0] * (n * n) for _ in range(n * n)]
            for j in range(n * n):
                # cheapest of the column (non-claimants count 0); ties to
                # the first claimant
                rows = [(cost[i][j], 0, i) if choice[i] == j else (0.0, 1, i)
                        for i in range(n * n)]
                best = min(rows)[2]
                if choice[best] == j:
                    won[best][j] = 1.0
            for i in range(n * n):
                if won[i][choice[i]] == 0:
                    cost[i][choice[i]] += 1
        plans.append(won)
    return torch.tensor(plans)
