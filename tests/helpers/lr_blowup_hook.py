"""Test helper: drive a run to divergence from a chosen iteration.

From the 0-based iteration ``at_iter`` on, every parameter group's learning
rate is set to ``lr`` right before the optimizer step (after the schedulers),
so the weights overflow and the losses become non-finite within a few
iterations: a deterministic version of a learning rate that blows up.
Use from the command line with this folder on ``PYTHONPATH``::

    --cfg-options default_hooks.blowup.type=lr_blowup_hook.LrBlowUpHook \
        default_hooks.blowup.at_iter=8
"""
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module(force=True)
class LrBlowUpHook(Hook):
    priority = 'LOWEST'

    def __init__(self, at_iter: int, lr: float = 1e38):
        self.at_iter = at_iter
        self.lr = lr

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter >= self.at_iter:
            for group in runner.optim_wrapper.optimizer.param_groups:
                group['lr'] = self.lr
