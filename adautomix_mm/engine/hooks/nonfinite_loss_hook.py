"""Stop a diverged run before it overwrites good checkpoints.

MMEngine logs ``loss: nan`` and keeps training; its ``CheckpointHook`` then
deletes the oldest kept checkpoint *before* writing the new one, so with
``max_keep_ckpts`` a diverged run ends with only non-finite checkpoints.
MMEngine and MMPretrain have no such guard (MMEngine's
``EarlyStoppingHook`` watches validation metrics only), hence this hook.

* Loss check, every iteration, before the backward pass: the model's
  ``parse_losses`` is wrapped (on the unwrapped model, which both
  ``BaseModel.train_step`` and the DDP wrapper call), so any model's loss
  dict is covered without model code: every logged term whose name contains
  ``loss`` (the terms MMEngine sums) and their sum. A non-finite term raises
  :class:`FloatingPointError` naming the term, its value, the iteration and
  the epoch; the optimizer step of that iteration never happens. Under DDP
  the per-term flags are summed over ranks (one small all-reduce), so every
  rank stops at the same iteration instead of the others waiting for the
  distributed timeout.
* Weight check, before ``CheckpointHook`` (priority ``LOW`` < ``VERY_LOW``):
  at the end of each epoch, and at the iterations where a by-iteration
  ``CheckpointHook`` saves, every floating parameter and buffer must be
  finite (a finite loss can still produce an infinite update).
* ``warn_loss``: a finite term whose magnitude exceeds it is logged once per
  term as a warning (divergence usually shows as a blow-up before NaN).
* Counted fallbacks: modules that tolerate non-finite values as the
  reference does (e.g. ``AttentionMixBlock``, whose masks would otherwise
  hide NaN features) count them in a ``nonfinite_fallbacks`` tensor; the
  total is logged as ``train/nonfinite_fallbacks`` and each increase is a
  warning naming the module and the iteration.
"""
from typing import Dict, List, Optional

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_dist_info, is_distributed
from mmengine.hooks import CheckpointHook, Hook
from mmpretrain.registry import HOOKS

from .runner_model import unwrap_model as _unwrap


def _all_reduce_sum(t: torch.Tensor) -> torch.Tensor:
    if is_distributed():
        torch_dist.all_reduce(t, op=torch_dist.ReduceOp.SUM)
    return t


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Raise on a non-finite loss term or non-finite weights (see module doc).

    Args:
        check_weights (bool): check parameters and buffers before each
            checkpoint save point. Default True.
        warn_loss (float, optional): warn once per term when
            ``|term| > warn_loss``. None disables. Default 1e4.
    """

    priority = 'LOW'  # before CheckpointHook ('VERY_LOW') at the same event

    def __init__(self, check_weights: bool = True,
                 warn_loss: Optional[float] = 1e4):
        if not isinstance(check_weights, bool):
            raise TypeError('NonFiniteLossHook: check_weights must be True or '
                            f'False, got {check_weights!r}')
        if warn_loss is not None and (
                isinstance(warn_loss, bool)
                or not isinstance(warn_loss, (int, float)) or warn_loss <= 0):
            raise ValueError('NonFiniteLossHook: warn_loss must be a positive '
                             f'number or None, got {warn_loss!r}')
        self.check_weights = check_weights
        self.warn_loss = warn_loss
        self._warned: set = set()
        self._model = None
        self._fallbacks: list = []
        self._fallback_seen: dict = {}

    # ------------------------------------------------------------ loss check
    def before_train(self, runner) -> None:
        model = _unwrap(runner.model)
        original = model.parse_losses

        def parse_losses(losses):
            loss, log_vars = original(losses)
            self.check_losses(runner, log_vars)
            return loss, log_vars

        model.parse_losses = parse_losses  # instance attribute: this run only
        self._model = model
        self._fallbacks = [
            (name or type(model).__name__, m.nonfinite_fallbacks)
            for name, m in model.named_modules()
            if torch.is_tensor(getattr(m, 'nonfinite_fallbacks', None))]
        self._fallback_seen = {name: int(c) for name, c in self._fallbacks}

    def after_train(self, runner) -> None:
        if self._model is not None:
            self._model.__dict__.pop('parse_losses', None)
            self._model = None

    def check_losses(self, runner, log_vars: Dict[str, torch.Tensor]) -> None:
        """Raise if a ``*loss*`` entry of ``log_vars`` is not finite."""
        names: List[str] = [k for k, v in log_vars.items()
                            if 'loss' in k and torch.is_tensor(v)]
        if not names:
            return
        values = torch.stack([log_vars[k].detach().float().reshape(())
                              for k in names])
        bad = _all_reduce_sum((~torch.isfinite(values)).float())
        # One device-to-host copy per iteration for both checks.
        bad, mags = torch.stack([bad, values.abs().nan_to_num()]).cpu()
        if bad.any():
            # Name the individual terms first; the sums (MMEngine's `loss`,
            # a model's logged-only totals such as `loss_cls`) only if they
            # alone overflowed.
            sums = ('loss', ) + tuple(
                getattr(_unwrap(runner.model), 'LOGGED_TOTALS', ()))
            flagged = [n for n, b in zip(names, bad.tolist()) if b]
            terms = [n for n in flagged if n not in sums] or flagged
            local = {n: float(log_vars[n].detach()) for n in terms}
            ranks = int(bad.max().item())
            where = (f' on {ranks} of {get_dist_info()[1]} ranks (this rank '
                     f'{get_dist_info()[0]}: {local})') if is_distributed() \
                else ''
            value = ', '.join(f'{n} = {v}' for n, v in local.items())
            raise FloatingPointError(
                f'Non-finite loss {", ".join(repr(t) for t in terms)} at '
                f'iteration {runner.iter + 1} (epoch {runner.epoch + 1}): '
                f'{value}{where}. Training stopped before this iteration\'s '
                'optimizer step, so no checkpoint with its weights was '
                f'written; the checkpoints in {runner.work_dir} are from '
                'before. Lower the learning rate (or use gradient clipping, '
                'optim_wrapper.clip_grad) and resume from the last one.')
        if self.warn_loss is not None:
            for name, mag in zip(names, mags.tolist()):
                if mag > self.warn_loss and name not in self._warned:
                    self._warned.add(name)
                    runner.logger.warning(
                        f'{name} = {mag:.4g} exceeds {self.warn_loss:g} at '
                        f'iteration {runner.iter + 1}: the run may be '
                        'diverging (NonFiniteLossHook.warn_loss).')

    # ---------------------------------------------------------- weight check
    def after_train_epoch(self, runner) -> None:
        if self.check_weights:
            self.check_model(runner)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        self.log_fallbacks(runner)
        if self.check_weights and self._iteration_save_point(runner):
            self.check_model(runner)

    def log_fallbacks(self, runner) -> None:
        if not getattr(self, '_fallbacks', None):
            return
        total = 0
        for name, counter in self._fallbacks:
            count = int(counter)
            total += count
            if count > self._fallback_seen[name]:
                runner.logger.warning(
                    f'{name}: non-finite values replaced by the fallback at '
                    f'iteration {runner.iter + 1} ({count} iteration(s) so '
                    'far): its inputs are diverging.')
                self._fallback_seen[name] = count
        runner.message_hub.update_scalar('train/nonfinite_fallbacks', total)

    @staticmethod
    def _iteration_save_point(runner) -> bool:
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch:
                if hook.every_n_train_iters(runner, hook.interval) or (
                        hook.save_last and hook.is_last_train_iter(runner)):
                    return True
        return False

    def check_model(self, runner) -> None:
        """Raise if a floating parameter or buffer is not finite."""
        model = _unwrap(runner.model)
        named = [(n, t) for n, t in model.state_dict().items()
                 if torch.is_tensor(t) and t.is_floating_point()]
        if not named:
            return
        device = named[0][1].device
        finite = torch.stack([torch.isfinite(t).all().to(device)
                              for _, t in named])
        bad = _all_reduce_sum((~finite).float()).cpu()
        if bad.any():
            local = [n for (n, _), f in zip(named, finite.tolist()) if not f]
            count = int((bad > 0).sum())
            raise FloatingPointError(
                f'{count} non-finite weight tensor(s) after iteration '
                f'{runner.iter + 1} (epoch {runner.epoch + 1}), e.g. '
                f'{local[:5] or "on another rank"}. Stopped before saving a '
                'checkpoint (and before the oldest kept one is removed). '
                'Lower the learning rate and resume from the last checkpoint.')
