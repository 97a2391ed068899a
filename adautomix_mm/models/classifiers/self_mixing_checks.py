"""Build checks shared by classifiers that mix their batch themselves
(inside ``loss()``) and train on the soft mixed targets."""
from typing import Optional


def check_mixing_args(name: str, train_cfg: Optional[dict],
                      head: Optional[dict], how: str) -> None:
    """Before ``ImageClassifier.__init__``: no batch augments (they would
    mix the batch a second time), and a head to take the soft targets.
    ``how`` completes "``name`` mixes ..." in the message."""
    if train_cfg:
        raise ValueError(
            f'{name} mixes {how}: remove `train_cfg={train_cfg}` (batch '
            'augments would mix the batch twice)')
    if head is None:
        raise ValueError(f'{name} needs a classification `head`')


def check_no_batch_augments(model, what: str) -> None:
    """After build: no batch augments in the data preprocessor (``what``
    names the part that mixes the batch)."""
    if getattr(model.data_preprocessor, 'batch_augments', None) is not None:
        raise ValueError(f'{type(model).__name__}: data_preprocessor.'
                         f'batch_augments must be None ({what} mixes the '
                         'batch)')


def check_mixing_model(model, what: str) -> None:
    """After build: no batch augments in the data preprocessor either, and
    no training accuracy (undefined on soft targets). ``what`` names the
    part that mixes the batch."""
    check_no_batch_augments(model, what)
    if getattr(model.head, 'cal_acc', False):
        raise ValueError(f'{type(model).__name__}: set `head.cal_acc=False` '
                         '(mixed targets are soft, training accuracy '
                         'undefined)')
