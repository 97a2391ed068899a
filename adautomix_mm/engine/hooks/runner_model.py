"""The model behind a runner's (possibly DDP-wrapped) ``runner.model``."""
from typing import Sequence

from mmengine.model import is_model_wrapper


def unwrap_model(model):
    """``model.module`` of a model wrapper (DDP, FSDP), else ``model``."""
    return model.module if is_model_wrapper(model) else model


def model_with(model, owner: str, methods: Sequence[str], example: str):
    """The unwrapped model, refused with a message naming the first of
    ``methods`` it lacks (``example``: a model that has them)."""
    model = unwrap_model(model)
    for attr in methods:
        if not callable(getattr(model, attr, None)):
            raise TypeError(f'{owner} needs a model with `{attr}()` (e.g. '
                            f'{example}), got {type(model).__name__}')
    return model
