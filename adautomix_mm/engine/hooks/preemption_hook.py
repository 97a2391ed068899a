"""Stop on a preemption signal with a resumable checkpoint.

MMEngine 0.10.7 installs no signal handler: SIGTERM ends a run at once
(nothing logged, nothing saved since the last checkpoint, up to an epoch of
work lost), SIGINT raises ``KeyboardInterrupt`` wherever the run is.

With this hook, SIGTERM, SIGINT and SIGUSR1 (``signals``; slurm's
``--signal=USR1@90`` warns a job this way before its kill) only set a flag.
After each training iteration the ranks combine their flags (one all-reduce
of one number: every rank stops at the same iteration, also when only one of
them got the signal); if any is set, the run

1. saves a checkpoint through ``Runner.save_checkpoint`` (so the other hooks'
   ``before_save_checkpoint`` apply: generator states, atomic write), after
   ``RngStateHook`` gathered every rank's generator states and
   ``NonFiniteLossHook`` checked the weights, as at any save point:
   ``iter_{N}.pth`` mid-epoch, ``epoch_{E}.pth`` when the iteration ended an
   epoch (nothing new when ``CheckpointHook`` has just written this point),
   and names it in ``work_dir/last_checkpoint`` for ``--resume``;
2. logs one line naming the signal, the iteration and the file;
3. exits with status ``128 + signal number`` (143 for SIGTERM, 130 for
   SIGINT, 138 for SIGUSR1), by raising :class:`TrainingPreempted`, a
   ``SystemExit``: no traceback, under any entry point.

``--resume`` from that checkpoint repeats the uninterrupted run bit for bit
under the conditions of ``RngStateHook`` (deterministic mode, epoch-based
loop, ``num_workers=0``); mid-epoch it continues after the batches already
trained. A signal during validation takes effect after the next training
iteration; an epoch that ends with the stop is not validated.

Repeated signals: launchers forward the signal their ranks may already have
got (torchrun sends SIGTERM/SIGINT to every rank when it receives one, e.g.
from Ctrl-C or slurm, and kills them 30 s later), so a repeat within
``force_after`` seconds of the first signal is ignored; a later one acts as
without this hook (e.g. a second Ctrl-C after a hung iteration interrupts at
once).
"""
import os.path as osp
import signal
import threading
import time
from typing import Dict, Optional, Sequence

import torch
from mmengine.dist import all_reduce, barrier, is_distributed, is_main_process
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import EpochBasedTrainLoop
from mmpretrain.registry import HOOKS

from .checkpoint_safety_hook import write_last_checkpoint
from .nonfinite_loss_hook import NonFiniteLossHook
from .rng_state_hook import RngStateHook

DEFAULT_SIGNALS = ('SIGTERM', 'SIGINT', 'SIGUSR1')


class TrainingPreempted(SystemExit):
    """Raised by :class:`PreemptionHook` once its checkpoint is written;
    ``code`` is ``128 + signal number``."""

    def __init__(self, signum: int, checkpoint: str,
                 signals: Sequence[int] = ()):
        super().__init__(128 + signum)
        self.signum = signum
        self.checkpoint = checkpoint
        self.signals = tuple(signals)  # the hook's stop signals


def _signal_number(item) -> int:
    if isinstance(item, str) and isinstance(
            getattr(signal, item, None), signal.Signals):
        return int(getattr(signal, item))
    if isinstance(item, int) and not isinstance(item, bool) and \
            item in {int(s) for s in signal.valid_signals()}:
        return item
    raise ValueError(
        f'PreemptionHook: signals must be signal names such as '
        f"'SIGTERM' or 'SIGUSR1' (or numbers), got {item!r}")


@HOOKS.register_module()
class PreemptionHook(Hook):
    """On one of ``signals``: finish the iteration, save a resumable
    checkpoint, log it, exit with ``128 + signal number`` (see the module
    docstring).

    Args:
        signals (Sequence[str | int]): the signals that stop the run.
            Default ``('SIGTERM', 'SIGINT', 'SIGUSR1')``.
        force_after (float): seconds after the first signal from which a
            repeated one acts as without this hook (earlier repeats are
            ignored). Default 10.
    """

    # After CheckpointHook ('VERY_LOW'), so its save at the same iteration
    # comes first and is not repeated.
    priority = 'LOWEST'

    def __init__(self, signals: Sequence = DEFAULT_SIGNALS,
                 force_after: float = 10.0) -> None:
        if isinstance(signals, (str, int)) or not isinstance(
                signals, (list, tuple)) or not signals:
            raise ValueError('PreemptionHook: signals must be a non-empty '
                             f'list of signal names, got {signals!r}')
        if isinstance(force_after, bool) or not isinstance(
                force_after, (int, float)) or not force_after >= 0:
            raise ValueError('PreemptionHook: force_after must be a number '
                             f'of seconds >= 0, got {force_after!r}')
        self.signals = tuple(dict.fromkeys(_signal_number(s)
                                           for s in signals))
        self.force_after = float(force_after)
        self._received: Optional[int] = None
        self._received_at = 0.0
        self._previous: Dict[int, object] = {}
        self._stop_at_epoch_end: Optional[int] = None
        self._known_ckpt = None

    # --------------------------------------------------------- the handler
    def _on_signal(self, signum: int, frame) -> None:
        now = time.monotonic()
        if self._received is None:
            self._received, self._received_at = signum, now
        elif now - self._received_at >= self.force_after:
            # What the signal would do without this hook.
            self._restore_handlers()
            signal.raise_signal(signum)

    def _restore_handlers(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    def before_train(self, runner) -> None:
        if threading.current_thread() is not threading.main_thread():
            runner.logger.warning(
                'PreemptionHook: training does not run in the main thread, '
                'where Python delivers signals; no handler installed.')
            return
        for signum in self.signals:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        self._known_ckpt = runner.message_hub.get_info('last_ckpt')

    def after_train(self, runner) -> None:
        self._restore_handlers()

    # -------------------------------------------------------- stop points
    def _agreed_signal(self) -> Optional[int]:
        """The signal any rank received (the largest number), or None."""
        flag = torch.tensor([self._received or 0], dtype=torch.int64)
        if is_distributed():
            all_reduce(flag, op='max')
        return int(flag.item()) or None

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        self._known_ckpt = runner.message_hub.get_info('last_ckpt')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        signum = self._agreed_signal()
        if signum is None:
            return
        loop = runner.train_loop
        if isinstance(loop, EpochBasedTrainLoop) and runner.iter + 1 == \
                (runner.epoch + 1) * len(loop.dataloader):
            # The iteration ended the epoch: stop at its end, with an
            # epoch checkpoint (which resumes at the next epoch).
            self._stop_at_epoch_end = signum
            self._known_ckpt = runner.message_hub.get_info('last_ckpt')
            return
        self._stop(runner, signum, by_epoch=False)

    def after_train_epoch(self, runner) -> None:
        if self._stop_at_epoch_end is not None:
            self._stop(runner, self._stop_at_epoch_end, by_epoch=True)

    def _stop(self, runner, signum: int, by_epoch: bool) -> None:
        saved = runner.message_hub.get_info('last_ckpt')
        if saved is None or saved == self._known_ckpt:
            saved = self._save(runner, by_epoch)
        barrier()  # no rank exits before the checkpoint is written
        name = signal.Signals(signum).name
        done = runner.iter if by_epoch else runner.iter + 1
        runner.logger.info(
            f'{name} received: stopped after iteration {done} (epoch '
            f'{runner.epoch + 1}); resumable checkpoint {saved} (continue '
            f'with --resume); exit status {128 + signum}.')
        raise TrainingPreempted(signum, saved, self.signals)

    def _save(self, runner, by_epoch: bool) -> str:
        """Save this point as ``CheckpointHook`` would; all ranks call it."""
        for hook in runner.hooks:  # the checks of a regular save point
            if isinstance(hook, NonFiniteLossHook) and hook.check_weights:
                hook.check_model(runner)
            elif isinstance(hook, RngStateHook):
                hook.capture()
        ckpt_hook = next(
            (h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        out_dir = getattr(ckpt_hook, 'out_dir', None) or runner.work_dir
        if by_epoch:
            filename = f'epoch_{runner.epoch + 1}.pth'
            meta = dict(epoch=runner.epoch + 1, iter=runner.iter)
        else:
            filename = f'iter_{runner.iter + 1}.pth'
            meta = dict(epoch=runner.epoch, iter=runner.iter + 1)
        runner.save_checkpoint(out_dir, filename, meta=meta,
                               by_epoch=by_epoch)  # rank 0 writes
        path = osp.join(out_dir, filename)
        runner.message_hub.update_info('last_ckpt', path)
        if is_main_process():  # what --resume reads, as after any save
            write_last_checkpoint(runner.work_dir, path)
        return path
