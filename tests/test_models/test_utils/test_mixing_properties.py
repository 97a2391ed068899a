"""Property-based tests (hypothesis) of the Mix Block and label mixing.

Over random batch sizes, N, feature/output shapes, ratios (including
extreme ones near 0/1), feature scales from 1e-6 to 1e6 and random block
weights: AttentionMixBlock masks are finite, in [0, 1] and sum to 1 over
the N images at every pixel; labels mixed linearly (``mix_linear``) or by
mask area (``mix_targets_by_area``) are finite, non-negative and sum to 1
per sample. Example counts are small to keep the suite fast.
"""
import torch

# hypothesis is in the `tests` extra of setup.py.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import adautomix_mm  # noqa: F401,E402  (registers modules)
from adautomix_mm.models.utils.mixing import (  # noqa: E402
    mix_linear, mix_targets_by_area, sample_partners)
from mmpretrain.registry import MODELS  # noqa: E402

FAST = settings(max_examples=25, deadline=None, derandomize=True,
                database=None)


@st.composite
def ratios(draw, n):
    """A point of the simplex, possibly with near-zero entries."""
    raw = draw(st.lists(st.one_of(st.floats(1e-6, 1.0),
                                  st.sampled_from([1e-6, 1.0])),
                        min_size=n, max_size=n))
    lam = torch.tensor(raw, dtype=torch.float32)
    return lam / lam.sum()


def _perms(n, b, seed):
    torch.manual_seed(seed)
    return sample_partners(n, b, keep_first=True)


@st.composite
def mix_case(draw):
    b = draw(st.integers(1, 4))
    n = draw(st.integers(2, 4))
    c = draw(st.sampled_from([2, 4, 8]))
    h = draw(st.integers(1, 5))
    w = draw(st.integers(1, 5))
    up = draw(st.integers(1, 4))
    per_sample = draw(st.booleans())
    lam = torch.stack([draw(ratios(n)) for _ in range(b)]) if per_sample \
        else draw(ratios(n))
    return dict(b=b, n=n, c=c, h=h, w=w, out=(h * up, w * up), lam=lam,
                scale=draw(st.sampled_from([1e-6, 1e-2, 1.0, 1e2, 1e6])),
                weight_std=draw(st.sampled_from([0.01, 0.5, 5.0])),
                lam_concat=draw(st.booleans()),
                mode=draw(st.sampled_from(['nearest', 'bilinear', 'bicubic'])),
                seed=draw(st.integers(0, 2**16)))


@FAST
@given(mix_case())
def test_attention_mix_block_masks_form_a_partition(case):
    torch.manual_seed(case['seed'])
    block = MODELS.build(dict(
        type='AttentionMixBlock', in_channels=case['c'],
        lam_concat=case['lam_concat'], upsample_mode=case['mode']))
    for p in block.parameters():
        torch.nn.init.normal_(p, 0.0, case['weight_std'])
    feats = case['scale'] * torch.randn(case['b'], case['n'], case['c'],
                                        case['h'], case['w'])
    with torch.no_grad():
        masks = block(feats, case['lam'], case['out'])
    assert masks.shape == (case['b'], case['n'], *case['out'])
    assert torch.isfinite(masks).all()
    assert masks.min() >= 0 and masks.max() <= 1
    torch.testing.assert_close(masks.sum(1), torch.ones(
        case['b'], *case['out']), atol=1e-5, rtol=0)

    # Labels by mask area: each sample's label is a distribution.
    k = 5
    perms = _perms(case['n'], case['b'], case['seed'])
    labels = torch.randint(0, k, (case['b'], ))
    targets = torch.nn.functional.one_hot(labels, k).float()
    mixed = mix_targets_by_area(targets, perms, masks)
    assert torch.isfinite(mixed).all() and mixed.min() >= 0
    torch.testing.assert_close(mixed.sum(1), torch.ones(case['b']),
                               atol=1e-5, rtol=0)


@FAST
@given(b=st.integers(1, 6), n=st.integers(2, 5), k=st.integers(2, 7),
       soft=st.booleans(), seed=st.integers(0, 2**16), data=st.data())
def test_mix_linear_labels_sum_to_one(b, n, k, soft, seed, data):
    lam = data.draw(ratios(n))
    perms = _perms(n, b, seed)
    if soft:
        targets = torch.rand(b, k) + 1e-3
        targets = targets / targets.sum(1, keepdim=True)
    else:
        targets = torch.nn.functional.one_hot(
            torch.randint(0, k, (b, )), k).float()
    mixed = mix_linear(targets, perms, lam)
    assert mixed.shape == (b, k)
    assert torch.isfinite(mixed).all() and mixed.min() >= 0
    torch.testing.assert_close(mixed.sum(1), torch.ones(b), atol=1e-5, rtol=0)
    # The weight of source i is lam_i: the first partner is the identity.
    first = targets * lam[0]
    assert torch.all(mixed >= first - 1e-6)
