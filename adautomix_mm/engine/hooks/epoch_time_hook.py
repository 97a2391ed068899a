"""One line after the first epoch: its wall time and the time left.

MMEngine's interval line carries ``eta`` (from the mean iteration time,
validation not included); this hook adds, once per run (after the first
epoch this process trains, resumed runs included), the measured cost of a
whole epoch, training and validation: ``Epoch 1 took 95 s here (training
and validation): about 95 s per epoch on this machine, ~6.3 min left for
the remaining 4 epochs``. Epoch-based training loops only.
"""
import time
from typing import Optional

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

_clock = time.perf_counter  # module level, so tests can replace it


@HOOKS.register_module()
class EpochTimeEstimateHook(Hook):
    """Log the first epoch's wall time (training + validation) and the
    estimate ``remaining epochs x that time``, at the start of the next
    epoch."""

    priority = 'VERY_LOW'

    def __init__(self):
        self._start: Optional[float] = None
        self._epoch: Optional[int] = None
        self._done = False

    def before_train_epoch(self, runner) -> None:
        now = _clock()
        max_epochs = getattr(runner.train_loop, 'max_epochs', None)
        if self._start is not None and not self._done and max_epochs:
            self._done = True
            took = now - self._start
            left = max(max_epochs - runner.epoch, 0)
            runner.logger.info(
                f'Epoch {self._epoch} took {took:.0f} s here (training and '
                f'validation): about {took:.0f} s per epoch on this machine, '
                f'~{left * took / 60:.1f} min left for the remaining {left} '
                f'epoch{"s" if left != 1 else ""}.')
        if self._start is None:
            self._start, self._epoch = now, runner.epoch + 1
