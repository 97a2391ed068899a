"""Test helper: SIGKILL the whole run at a chosen iteration.

Deterministic stand-in for ``kill -9`` from outside: at ``before_train_iter``
of the 0-based iteration ``at_iter`` every rank sends SIGKILL to its own
process group and, under torchrun (which starts each worker in a group of
its own), to torchrun's group, which the end-to-end tests start as a new
session (``run_cmd``). So torchrun and every rank die, with no cleanup and no
checkpoint. (No collective runs in ``before_train_iter``, so every rank gets
there although another one may already be dead.)
Add it from the command line (folder on ``PYTHONPATH``)::

    --cfg-options default_hooks.killer.type=kill_hook.KillAtIterHook \
        default_hooks.killer.at_iter=5
"""
import os
import signal

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module(force=True)
class KillAtIterHook(Hook):
    priority = 'HIGHEST'

    def __init__(self, at_iter: int):
        self.at_iter = at_iter

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter != self.at_iter:
            return
        if get_rank() == 0:
            runner.logger.info(f'KillAtIterHook: SIGKILL at iteration '
                               f'{runner.iter + 1}')
        if os.environ.get('TORCHELASTIC_RUN_ID') is not None:
            try:
                os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
            except ProcessLookupError:  # another rank was first
                pass
        os.killpg(os.getpgid(0), signal.SIGKILL)


@HOOKS.register_module(force=True)
class KillAtSaveHook(Hook):
    """SIGKILL the run (1 process) while it saves the checkpoint of epoch
    ``at_epoch``: after ``CheckpointHook`` decided what to rotate and before
    the file is written (``before_save_checkpoint``)."""
    priority = 'HIGHEST'

    def __init__(self, at_epoch: int):
        self.at_epoch = at_epoch

    def before_save_checkpoint(self, runner, checkpoint):
        if checkpoint['meta'].get('epoch') == self.at_epoch:
            runner.logger.info(f'KillAtSaveHook: SIGKILL while saving epoch '
                               f'{self.at_epoch}')
            os.killpg(os.getpgid(0), signal.SIGKILL)
