"""Test helper: drive a run to divergence from a chosen iteration.

From the 0-based iteration ``at_iter`` on, every parameter group's learning
rate is set right before the optimizer step (after the schedulers) to
``lr * factor ** (iteration - at_iter)``: with the default ``factor=1`` a
constant rate (``lr=1e38``: the weights overflow and the losses become
non-finite within a few iterations), with ``factor > 1`` a rate growing each
iteration, whose run diverges while staying finite for a while.
Use from the command line with this folder on ``PYTHONPATH``::

    --cfg-options default_hooks.blowup.type=lr_blowup_hook.LrBlowUpHook \
        default_hooks.blowup.at_iter=8
"""
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module(force=True)
class LrBlowUpHook(Hook):
    priority = 'LOWEST'

    def __init__(self, at_iter: int, lr: float = 1e38, factor: float = 1.0):
        self.at_iter = at_iter
        self.lr = lr
        self.factor = factor

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter >= self.at_iter:
            lr = self.lr * self.factor ** (runner.iter - self.at_iter)
            for group in runner.optim_wrapper.optimizer.param_groups:
                group['lr'] = lr
