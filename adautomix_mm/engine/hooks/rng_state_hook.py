"""Save and restore the random number generators with each checkpoint.

MMEngine 0.10.7 saves the seed but no generator state, and on ``resume`` it
seeds again: a resumed run replays the *start* of the run's random stream
(mixing ratios, partners, crops, flips), so it does not repeat the
uninterrupted run. No MMEngine/MMPretrain hook stores generator states,
hence this one.

Each rank's Python ``random``, NumPy global, torch CPU and (if present) CUDA
generator states are gathered to rank 0 when a checkpoint is about to be
written and stored under ``checkpoint['rng_state']`` as plain lists and
uint8 tensors (readable with ``torch.load(weights_only=True)``). On resume
every rank gets its own state back, right before the resumed epoch builds
its data loader iterator, i.e. at the point where the uninterrupted run was
when the checkpoint was written.

Validation runs between the checkpoint and the next epoch and draws from the
global generators (the loader iterator's base seed), so this hook also makes
validation inside training leave the generators as it found them. As a side
effect a run with and without validation trains identically.

Mid-epoch (by-iteration) checkpoints: MMEngine's ``EpochBasedTrainLoop``
resumes with the epoch's data from its first batch, i.e. it trains again on
the batches done before the checkpoint. With ``skip_seen_batches`` (default)
the resumed epoch's batch sampler skips those batches (indices only) and the
generators are restored right before the next batch is loaded, so the epoch
continues where it was. ``IterBasedTrainLoop`` skips by loading the batches;
there the generators are restored at the first resumed iteration (a warning
says the first batch's augmentation is not repeated).

Data loader workers draw from their own generators, which MMEngine seeds per
worker when the workers start (each epoch, unless ``persistent_workers``).
A resume therefore repeats the run exactly with ``num_workers=0``, or from
epoch-end checkpoints with ``persistent_workers=False``; otherwise only the
data augmentation can differ, and the resume logs a warning naming the
setting (:func:`inexact_loader_warning`).
"""
import random
from typing import List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_dist_info, is_distributed
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import EpochBasedTrainLoop
from mmpretrain.registry import HOOKS

KEY = 'rng_state'


def get_rng_state() -> dict:
    """This process's generator states as lists and uint8 tensors."""
    version, py_state, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=[version, list(py_state), gauss],
        numpy=[kind, torch.from_numpy(np.asarray(keys, dtype=np.int64)),
               int(pos), int(has_gauss), float(cached)],
        torch=torch.get_rng_state(),
    )
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    version, py_state, gauss = state['python']
    random.setstate((version, tuple(py_state), gauss))
    kind, keys, pos, has_gauss, cached = state['numpy']
    # Runner.resume loads checkpoints onto the training device: back to CPU.
    np.random.set_state((kind, keys.cpu().numpy().astype(np.uint32), pos,
                         has_gauss, cached))
    torch.set_rng_state(state['torch'].cpu())
    if 'cuda' in state and torch.cuda.is_available():
        cuda = [s.cpu() for s in state['cuda']]
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)
        else:  # one device per process: restore this process's device
            torch.cuda.set_rng_state(cuda[0])


def _resume_batches(batch_sampler, skip: int, state: Optional[dict]) -> None:
    """Make the next pass over ``batch_sampler`` skip its first ``skip``
    batches of indices and then restore ``state``: the point where the
    uninterrupted run was (the loader iterator has drawn its base seed, the
    next batch is not loaded yet). One pass only; the class is put back.

    MMEngine's loader has no resume position and its epoch loop replays a
    resumed epoch from its first batch, hence this (the sampler itself, e.g.
    ``DefaultSampler(seed, epoch)``, is left untouched).
    """
    original = type(batch_sampler)

    class _ResumeBatches(original):

        def __iter__(self):
            self.__class__ = original
            batches = original.__iter__(self)
            for _ in range(skip):
                next(batches, None)
            if state is not None:
                set_rng_state(state)
            yield from batches

    batch_sampler.__class__ = _ResumeBatches


def inexact_loader_warning(loader, mid_epoch: bool) -> Optional[str]:
    """Why resuming with ``loader`` cannot repeat the run's augmentation
    (its workers' generators are not in the checkpoint), or None."""
    workers = getattr(loader, 'num_workers', 0) or 0
    if workers <= 0:
        return None
    if getattr(loader, 'persistent_workers', False):
        why = (f'train_dataloader.persistent_workers=True with num_workers='
               f'{workers}: the workers live across epochs, and their '
               'random generators (data augmentation) are not in the '
               'checkpoint; the resumed workers start from their initial '
               'seeds')
    elif mid_epoch:
        why = (f'train_dataloader.num_workers={workers} and a mid-epoch '
               'checkpoint: the workers\' random generators (data '
               'augmentation) had advanced within the epoch and are not in '
               'the checkpoint')
    else:
        return None
    return (f'Inexact resume: {why}, so the resumed run\'s data augmentation '
            'differs from the uninterrupted run\'s (losses and weights '
            'follow it). For a bit-exact resume use num_workers=0, or '
            'persistent_workers=False with epoch-end checkpoints.')


@HOOKS.register_module()
class RngStateHook(Hook):
    """Store per-rank generator states in checkpoints and restore them on
    resume (see the module docstring for the exact guarantee).

    Args:
        skip_seen_batches (bool): resuming an epoch-based run from a
            mid-epoch checkpoint continues the epoch after the batches
            already trained (MMEngine alone replays the whole epoch).
            Default True.
    """

    # Runs right before CheckpointHook ('VERY_LOW' = 90) at the end of an
    # epoch/iteration, and late in before_train_epoch (after the sampler's
    # set_epoch), just before the loader iterator is built.
    priority = 85

    def __init__(self, skip_seen_batches: bool = True) -> None:
        if not isinstance(skip_seen_batches, bool):
            raise TypeError('RngStateHook: skip_seen_batches must be True or '
                            f'False, got {skip_seen_batches!r}')
        self.skip_seen_batches = skip_seen_batches
        self._pending: Optional[List[dict]] = None
        self._resumed: Optional[List[dict]] = None
        self._resume_mid_epoch = False
        self._epoch_loop = True
        self._val_state: Optional[dict] = None

    # ------------------------------------------------------------------ save
    def capture(self) -> None:
        """Gather every rank's generator states for the next checkpoint
        (a collective: all ranks call it)."""
        states = [get_rng_state()]
        if is_distributed():
            states = all_gather_object(states[0])
        self._pending = states

    def after_train_epoch(self, runner) -> None:
        self.capture()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch and (
                    hook.every_n_train_iters(runner, hook.interval) or (
                        hook.save_last and hook.is_last_train_iter(runner))):
                self.capture()
                return

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # Rank 0 only (Runner.save_checkpoint is master_only).
        states = self._pending or [get_rng_state()]
        checkpoint[KEY] = dict(world_size=len(states), ranks=states)

    # --------------------------------------------------------------- restore
    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not getattr(runner, '_resume', False):
            return  # load_from: weights only, the run starts fresh
        state = self._own_state(runner, checkpoint.get(KEY))
        meta = checkpoint.get('meta', {})
        loop = runner.train_loop
        self._epoch_loop = isinstance(loop, EpochBasedTrainLoop)
        per_epoch = len(loop.dataloader) if self._epoch_loop else 0
        done = meta.get('iter', 0) - meta.get('epoch', 0) * per_epoch
        warning = inexact_loader_warning(getattr(loop, 'dataloader', None),
                                         mid_epoch=not self._epoch_loop
                                         or done != 0)
        if warning is not None:
            runner.logger.warning(warning)
        if self._epoch_loop and done == 0:
            self._resumed = state  # restored in before_train_epoch
            self._resume_mid_epoch = False
        elif (self._epoch_loop and self.skip_seen_batches
              and 0 < done < per_epoch
              and getattr(loop.dataloader, 'batch_sampler', None) is not None):
            _resume_batches(loop.dataloader.batch_sampler, done, state)
            runner.logger.info(
                f'Resumed mid-epoch: the {done} batches of epoch '
                f'{meta.get("epoch", 0) + 1} trained before the checkpoint '
                'are skipped (their indices only, nothing is loaded); '
                f'generator states {"restored" if state else "not saved"}. '
                f'The log counts this epoch\'s batches from 1 again.')
        else:
            self._resumed = state
            self._resume_mid_epoch = True

    def _own_state(self, runner, saved) -> Optional[dict]:
        if saved is None:
            runner.logger.warning(
                'The resumed checkpoint holds no random generator states '
                f'(`{KEY}`, written by RngStateHook): the resumed run draws '
                'different random numbers than the uninterrupted run would.')
            return None
        rank, world = get_dist_info()
        if saved['world_size'] != world:
            runner.logger.warning(
                f'The checkpoint holds generator states of '
                f'{saved["world_size"]} process(es) but this run has {world}: '
                'generators are not restored.')
            return None
        return saved['ranks'][rank]

    def before_train_epoch(self, runner) -> None:
        if self._resumed is not None and not self._resume_mid_epoch:
            set_rng_state(self._resumed)
            self._resumed = None
            runner.logger.info('Random generator states restored from the '
                               'checkpoint.')

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if self._resumed is not None:  # mid-epoch, batches not skipped
            set_rng_state(self._resumed)
            self._resumed = None
            if self._epoch_loop:
                why = ('the epoch\'s data restarts from its first batch '
                       '(skip_seen_batches=False), so this epoch does not '
                       'repeat the uninterrupted run')
            else:
                why = ('the first resumed batch was loaded (and, with '
                       'num_workers=0, augmented) before the restore')
            runner.logger.warning(
                'Resumed from a mid-epoch checkpoint: generators restored at '
                f'the first resumed iteration, but {why}. Checkpoints at epoch '
                'ends (CheckpointHook by_epoch=True) resume exactly.')

    # ------------------------------------------------- validation neutrality
    def before_val_epoch(self, runner) -> None:
        self._val_state = get_rng_state()

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._val_state is not None:
            set_rng_state(self._val_state)
            self._val_state = None
