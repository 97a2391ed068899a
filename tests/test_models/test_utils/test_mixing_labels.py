"""Per-sample area-weighted label mixing shared by every mask-based mixer."""
import pytest
import torch

from adautomix_mm.models.utils import mix_targets_by_area


def test_area_labels_equal_hand_computed_areas():
    y = torch.eye(3)
    perms = torch.tensor([[0, 1, 2], [1, 2, 0]])
    masks = torch.zeros(3, 2, 2, 2)
    masks[:, 0, 0, :] = 1  # top row from image 0, bottom row from image 1
    masks[:, 1, 1, :] = 1
    masks[0, 0, 1, 0], masks[0, 1, 1, 0] = 1, 0  # sample 0: 3/4 vs 1/4
    out = mix_targets_by_area(y, perms, masks)
    expected = torch.tensor([[0.75, 0.25, 0.], [0., 0.5, 0.5],
                             [0.5, 0., 0.5]])
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(out.sum(1), torch.ones(3))


def test_area_labels_reject_mismatched_masks():
    with pytest.raises(ValueError, match=r'masks must be \[B, N, H, W\]'):
        mix_targets_by_area(torch.eye(3), torch.zeros(2, 3, dtype=torch.long),
                            torch.ones(3, 3, 2, 2))
