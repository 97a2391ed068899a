"""Test helper: a rank sends itself a signal at a chosen iteration.

Deterministic stand-in for a scheduler's SIGTERM (e.g. slurm before a
preemption): at ``before_train_iter`` of the 0-based iteration ``at_iter``
each rank listed in ``ranks`` (default: all) sends ``signal`` to its own
process, i.e. while that iteration is about to run. Add it from the command
line (folder on ``PYTHONPATH``)::

    --cfg-options default_hooks.signal.type=signal_hook.SignalAtIterHook \\
        default_hooks.signal.at_iter=7 default_hooks.signal.ranks=[1]
"""
import os
import signal as signal_module

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module(force=True)
class SignalAtIterHook(Hook):
    priority = 'HIGHEST'

    def __init__(self, at_iter: int, signal: str = 'SIGTERM', ranks=None):
        self.at_iter = at_iter
        self.signum = getattr(signal_module, signal)
        self.ranks = ranks

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at_iter and (
                self.ranks is None or get_rank() in self.ranks):
            runner.logger.info(f'SignalAtIterHook: {self.signum.name} to '
                               f'rank {get_rank()} at iteration '
                               f'{runner.iter + 1}')
            os.kill(os.getpid(), self.signum)
