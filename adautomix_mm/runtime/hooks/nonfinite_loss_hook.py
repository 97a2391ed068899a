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
* Finite divergence, every iteration, before any save that iteration: the
  global L2 norm of the parameters after the optimizer step,
  ``n_t = ||theta_t||``, must stay below ``norm_ratio`` x its level
  ``r_t = min_{s<=t} median(n_{s-window}, ..., n_{s-1})`` (the lowest positive
  running median so far, so a slow blow-up is caught as well as a jump); and
  each
  logged loss term must stay below ``loss_ratio`` x ``max(median of its
  last window magnitudes, loss_floor)`` (checked from 10 iterations of
  history on; under DDP decided over all ranks in the loss all-reduce).
  Either raises :class:`DivergenceError` (a ``FloatingPointError``) before
  the checkpoint of that iteration/epoch, so the last checkpoint written
  before the check failed is not rotated away, naming it and the exact
  ``--resume ... --resume-lr-scale`` command that continues from it with a
  lower learning rate (:class:`~.resume_lr_hook.ResumeLrScaleHook`).
* ``warn_loss``: a finite term whose magnitude exceeds it is logged once per
  term as a warning (divergence usually shows as a blow-up before NaN).
* Counted fallbacks: modules that tolerate non-finite values as the
  reference does (e.g. ``AttentionMixBlock``, whose masks would otherwise
  hide NaN features) count them in a ``nonfinite_fallbacks`` tensor; the
  total is logged as ``train/nonfinite_fallbacks`` and each increase is a
  warning naming the module and the iteration.
"""
import collections
import os.path as osp
import statistics
from typing import Dict, List, Optional

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_dist_info, is_distributed
from mmengine.hooks import CheckpointHook, Hook
from mmpretrain.registry import HOOKS

from ...engine.hooks.runner_model import unwrap_model as _unwrap


class DivergenceError(FloatingPointError):
    """Finite divergence: weights or losses far above their running level."""


def resume_advice(runner) -> str:
    """Which checkpoint is the newest and the command that resumes it with a
    lower learning rate."""
    from .checkpoint_safety_hook import resolve_last_checkpoint
    work_dir = runner.work_dir
    latest, _ = resolve_last_checkpoint(work_dir)
    cfg_file = getattr(getattr(runner, 'cfg', None), 'filename', None) or \
        'CONFIG'
    if latest is None or not osp.isfile(latest):
        return (f'No checkpoint is in {work_dir} yet: start again with a '
                'lower learning rate (e.g. --cfg-options '
                'optim_wrapper.optimizer.lr=...).')
    return (f'The newest checkpoint is {latest} (written before this check '
            'failed). To continue from it with a 10x lower learning rate: '
            f'python tools/train.py {cfg_file} --work-dir {work_dir} '
            f'--resume {latest} --resume-lr-scale 0.1 (every learning rate '
            'and the rest of its schedule x 0.1; the checkpoints written '
            'after that hold the new rate, so do not repeat the option on '
            'later resumes). Gradient clipping (optim_wrapper.clip_grad) '
            'also helps.')


def _check_ratio(name: str, value, none_ok: bool = True):
    if value is None and none_ok:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            value <= 0:
        raise ValueError(f'NonFiniteLossHook: {name} must be a positive '
                         f'number{" or None" if none_ok else ""}, got '
                         f'{value!r}')


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
        norm_ratio (float, optional): stop when the parameter norm exceeds
            ``norm_ratio`` x its level (module docstring). None disables.
            Default 10.
        loss_ratio (float, optional): stop when a loss term's magnitude
            exceeds ``loss_ratio`` x ``max(running median, loss_floor)``.
            None disables. Default 100.
        loss_floor (float): smallest median the loss ratio is taken
            against (relative jumps of tiny losses are ignored). Default 1.
        window (int): iterations in the running medians. Default 50.
    """

    priority = 'LOW'  # before CheckpointHook ('VERY_LOW') at the same event
    MIN_LOSS_HISTORY = 10

    def __init__(self, check_weights: bool = True,
                 warn_loss: Optional[float] = 1e4,
                 norm_ratio: Optional[float] = 10.0,
                 loss_ratio: Optional[float] = 100.0,
                 loss_floor: float = 1.0, window: int = 50):
        if not isinstance(check_weights, bool):
            raise TypeError('NonFiniteLossHook: check_weights must be True or '
                            f'False, got {check_weights!r}')
        for name, value in (('warn_loss', warn_loss),
                            ('norm_ratio', norm_ratio),
                            ('loss_ratio', loss_ratio)):
            _check_ratio(name, value)
        _check_ratio('loss_floor', loss_floor, none_ok=False)
        if isinstance(window, bool) or not isinstance(window, int) or \
                window < 1:
            raise ValueError('NonFiniteLossHook: window must be a positive '
                             f'integer, got {window!r}')
        self.check_weights = check_weights
        self.warn_loss = warn_loss
        self.norm_ratio = norm_ratio
        self.loss_ratio = loss_ratio
        self.loss_floor = float(loss_floor)
        self.window = window
        self._norms: collections.deque = collections.deque(maxlen=window)
        self._norm_level: Optional[float] = None
        self._losses: Dict[str, collections.deque] = {}
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
        limits = torch.tensor(self._loss_limits(names), device=values.device)
        flags = torch.stack([~torch.isfinite(values),
                             values.abs().nan_to_num() > limits]).float()
        flags = _all_reduce_sum(flags)
        # One device-to-host copy per iteration for all checks.
        bad, far, mags = torch.cat([flags, values.abs().nan_to_num()[None]]
                                   ).cpu()
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
                f'written. {resume_advice(runner)}')
        if far.any():
            terms = [n for n, f in zip(names, far.tolist()) if f]
            detail = ', '.join(
                f'|{n}| = {mags[names.index(n)]:.4g} > {self.loss_ratio:g} x '
                f'{self._loss_level(n):.4g}' for n in terms)
            raise DivergenceError(
                f'Diverging: loss {", ".join(repr(t) for t in terms)} at '
                f'iteration {runner.iter + 1} (epoch {runner.epoch + 1}) far '
                f'above its running level ({detail} = loss_ratio x max('
                f'median of the last {self.window}, loss_floor); '
                'NonFiniteLossHook.loss_ratio). Training stopped before this '
                'iteration\'s optimizer step and before any further '
                f'checkpoint. {resume_advice(runner)}')
        for name, mag in zip(names, mags.tolist()):
            self._losses.setdefault(
                name, collections.deque(maxlen=self.window)).append(mag)
        if self.warn_loss is not None:
            for name, mag in zip(names, mags.tolist()):
                if mag > self.warn_loss and name not in self._warned:
                    self._warned.add(name)
                    runner.logger.warning(
                        f'{name} = {mag:.4g} exceeds {self.warn_loss:g} at '
                        f'iteration {runner.iter + 1}: the run may be '
                        'diverging (NonFiniteLossHook.warn_loss).')

    def _loss_level(self, name: str) -> float:
        history = self._losses.get(name, ())
        return max(statistics.median(history), self.loss_floor)

    def _loss_limits(self, names: List[str]) -> List[float]:
        """Per term: the magnitude above which it counts as diverging."""
        if self.loss_ratio is None:
            return [float('inf')] * len(names)
        return [self.loss_ratio * self._loss_level(n)
                if len(self._losses.get(n, ())) >= self.MIN_LOSS_HISTORY
                else float('inf') for n in names]

    # ------------------------------------------------------ parameter norm
    def check_norm(self, runner) -> None:
        """Raise :class:`DivergenceError` if the global parameter norm is
        above ``norm_ratio`` x its level (identical on every DDP rank, as
        the parameters are)."""
        if self.norm_ratio is None:
            return
        params = [p.detach() for p in _unwrap(runner.model).parameters()
                  if p.is_floating_point()]
        if not params:
            return
        norms = torch._foreach_norm(params) if hasattr(
            torch, '_foreach_norm') else [torch.linalg.vector_norm(p)
                                          for p in params]
        norm = float(torch.linalg.vector_norm(torch.stack(
            [n.float() for n in norms])))
        level = statistics.median(self._norms) if self._norms else 0.0
        if level > 0:  # (all-zero weights so far: no level yet)
            self._norm_level = level if self._norm_level is None else min(
                self._norm_level, level)
        if self._norm_level is not None and \
                norm > self.norm_ratio * self._norm_level:
            raise DivergenceError(
                f'Diverging: the parameter norm after iteration '
                f'{runner.iter + 1} (epoch {runner.epoch + 1}) is '
                f'{norm:.4g}, {norm / self._norm_level:.3g} times its '
                f'level {self._norm_level:.4g} (the lowest median of '
                f'{self.window} iterations so far; the limit is '
                f'NonFiniteLossHook.norm_ratio = {self.norm_ratio:g}). '
                'Training stopped before saving a checkpoint with these '
                f'weights. {resume_advice(runner)}')
        self._norms.append(norm)

    # ---------------------------------------------------------- weight check
    def after_train_epoch(self, runner) -> None:
        if self.check_weights:
            self.check_model(runner)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        self.log_fallbacks(runner)
        self.check_norm(runner)
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
                f'{resume_advice(runner)}')
