"""Argument checks shared by the batch mixers (errors name the config key)."""
from typing import Sequence, Tuple


def positive_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not value > 0:
        raise ValueError(f'{name} must be a positive number, got {value!r}')
    return float(value)


def float_range(name: str, value, low: float, high: float) -> Tuple[float,
                                                                    float]:
    """A number or a ``(min, max)`` pair inside ``[low, high]``."""
    pair = value if isinstance(value, Sequence) else (value, value)
    if len(pair) != 2 or any(isinstance(v, bool) or
                             not isinstance(v, (int, float)) for v in pair) \
            or not low <= pair[0] <= pair[1] <= high:
        raise ValueError(f'{name} must be a number or a (min, max) pair in '
                         f'[{low}, {high}], got {value!r}')
    return float(pair[0]), float(pair[1])


def check_batch(batch_inputs, batch_score) -> None:
    if batch_inputs.dim() != 4 or batch_score.dim() != 2 \
            or batch_score.size(0) != batch_inputs.size(0):
        raise ValueError(
            'batch_inputs must be [N, C, H, W] and batch_score [N, K] with the '
            f'same N, got {tuple(batch_inputs.shape)} and '
            f'{tuple(batch_score.shape)}')
