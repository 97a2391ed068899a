"""Argument checks of the learned and saliency mixers: one line that names
the owner, the config key and the value (a string such as ``'0.9'`` would
otherwise fail as a bare type error deep inside)."""
from typing import Optional, Sequence


class ArgumentTypeError(TypeError, ValueError):
    """A config value of the wrong type (caught as TypeError or ValueError)."""


def number(owner: str, key: str, value, low: Optional[float] = None,
           high: Optional[float] = None, low_open: bool = False,
           high_open: bool = False) -> float:
    """``value`` as a float, refused unless it is a real number (not a bool
    or a string) inside the given bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgumentTypeError(f'{owner}: {key} must be a number, got {value!r} '
                        f'({type(value).__name__})')
    value = float(value)
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else
                                  value > high)
    if below or above or value != value:
        if high is None:
            bounds = f'a number {">" if low_open else ">="} {low:g}'
        elif low is None:
            bounds = f'a number {"<" if high_open else "<="} {high:g}'
        else:
            bounds = (f'in {"(" if low_open else "["}{low:g}, {high:g}'
                      f'{")" if high_open else "]"}')
        raise ValueError(f'{owner}: {key} must be {bounds}, got {value!r}')
    return value


def integer(owner: str, key: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f'{owner}: {key} must be an int >= {low}, '
                                f'got {value!r} ({type(value).__name__})')
    if value < low:
        raise ValueError(f'{owner}: {key} must be an int >= {low}, got '
                         f'{value!r}')
    return value


def choice(owner: str, key: str, value, choices: Sequence):
    if value not in choices:
        raise ValueError(f'{owner}: {key} must be one of {tuple(choices)}, '
                         f'got {value!r}')
    return value


def flag(owner: str, key: str, value) -> bool:
    if not isinstance(value, bool):
        raise ArgumentTypeError(f'{owner}: {key} must be True or False, got '
                        f'{value!r}')
    return value
