"""Durable checkpoints, rotation after durability, a robust auto-resume.

MMEngine 0.10.7 writes a checkpoint in place (``open(path, 'wb')``), its
``CheckpointHook`` deletes the oldest kept checkpoint (``max_keep_ckpts``)
*before* writing the new one, ``work_dir/last_checkpoint`` holds an absolute
path, and ``--resume`` (auto) reads only that file and stops if it is
unreadable, although earlier good checkpoints exist.

* Durable writes (``atomic``): for local work dirs, ``runner.save_checkpoint``
  writes ``<name>.tmp`` (with the CRC-32 of every archive member, see
  :func:`adautomix_mm.compat.checkpoint.checksum_problem`), fsyncs it and
  renames it over ``<name>`` (``os.replace``, atomic on POSIX and Windows),
  so a checkpoint file is complete or absent; ``*.pth.tmp`` left by a killed
  run are removed when the next run starts. The removals of
  ``CheckpointHook``'s rotation (and of a replaced ``best_*`` file) are
  deferred until the new checkpoint is renamed and ``last_checkpoint`` names
  it, so a kill at any point leaves a loadable checkpoint that
  ``last_checkpoint`` names. ``last_checkpoint`` is written atomically and,
  for checkpoints inside the work dir, relative to it (a copied work dir
  resumes its own files). Remote backends are left alone.
* Auto-resume (``resume=True`` and no ``load_from``): ``last_checkpoint`` is
  resolved in the work dir (relative, or an absolute path whose file name
  exists in this work dir: a copied work dir). If that checkpoint is missing
  or fails its checksums, the newest intact checkpoint *of this run* is
  resumed instead, with a warning naming both: files named by a
  ``CheckpointHook``'s ``filename_tmpl`` (``epoch_{}.pth``/``iter_{}.pth``)
  that hold the resume state (``meta``, ``message_hub``, ``state_dict``), so
  an exported ``teacher.pth`` or a foreign file is never resumed.
"""
import glob
import os
import os.path as osp
import re
from typing import List, Optional, Tuple

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook, Hook
from mmpretrain.registry import HOOKS

from adautomix_mm.compat.checkpoint import (MMENGINE_SAFE_GLOBALS,
                                            checksum_problem)

TMP_SUFFIX = '.tmp'
LAST = 'last_checkpoint'
RESUME_KEYS = ('meta', 'message_hub', 'state_dict')


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not an intact ``torch.save`` file, or None (checks
    the recorded checksums, unpickles nothing)."""
    return checksum_problem(path)


def _is_local(path: str) -> bool:
    return '://' not in str(path)


def _resume_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a resumable checkpoint, or None."""
    problem = checkpoint_problem(path)
    if problem is not None:
        return problem
    try:  # memory-mapped: reads the structure, not the tensors
        with torch.serialization.safe_globals(MMENGINE_SAFE_GLOBALS):
            ckpt = torch.load(path, map_location='cpu', weights_only=True,
                              mmap=True)
    except Exception as err:  # noqa: BLE001  (any unreadable file)
        return f'unreadable ({type(err).__name__}: {err})'
    missing = [k for k in RESUME_KEYS
               if not isinstance(ckpt, dict) or k not in ckpt]
    if missing:
        return (f'not a resumable training checkpoint (no {missing}; e.g. '
                'an exported network)')
    return None


def _filename_patterns(runner) -> List[str]:
    tmpls = [h.filename_tmpl for h in runner.hooks
             if isinstance(h, CheckpointHook)] or ['epoch_{}.pth',
                                                   'iter_{}.pth']
    return [re.escape(t).replace(r'\{\}', r'(\d+)') for t in tmpls]


def _own_checkpoints(runner, work_dir: str) -> List[str]:
    """This run's checkpoints (names of its ``CheckpointHook`` template) in
    ``work_dir``, newest step first."""
    patterns = [re.compile(p + '$') for p in _filename_patterns(runner)]
    found: List[Tuple[int, float, str]] = []
    for path in glob.glob(osp.join(work_dir, '*')):
        name = osp.basename(path)
        for pattern in patterns:
            match = pattern.match(name)
            if match and osp.isfile(path):
                found.append((int(match.group(1)), osp.getmtime(path), path))
                break
    return [p for _, _, p in sorted(found, reverse=True)]


def resolve_last_checkpoint(work_dir: str) -> Tuple[Optional[str], str]:
    """``(path, note)``: the checkpoint ``work_dir/last_checkpoint`` names,
    resolved in ``work_dir``; None if the file is missing or empty."""
    save_file = osp.join(work_dir, LAST)
    if not osp.isfile(save_file):
        return None, f'{save_file} is missing'
    with open(save_file) as f:
        stored = f.read().strip()
    if not stored:
        return None, f'{save_file} is empty'
    if not osp.isabs(stored) and _is_local(stored):
        return osp.join(work_dir, stored), ''
    own = osp.join(work_dir, osp.basename(stored))
    if _is_local(stored) and osp.isfile(own) and \
            osp.realpath(osp.dirname(stored)) != osp.realpath(work_dir):
        return own, (f'{save_file} names {stored}, outside this work dir; '
                     f'its copy {own} in this work dir is used')
    return stored, ''


def write_last_checkpoint(work_dir: str, checkpoint: str) -> None:
    """Atomically write ``last_checkpoint``, relative to ``work_dir`` for a
    checkpoint inside it."""
    if _is_local(checkpoint) and osp.realpath(osp.dirname(checkpoint)) == \
            osp.realpath(work_dir):
        checkpoint = osp.basename(checkpoint)
    save_file = osp.join(work_dir, LAST)
    with open(save_file + TMP_SUFFIX, 'w') as f:
        f.write(checkpoint)
        f.flush()
        os.fsync(f.fileno())
    os.replace(save_file + TMP_SUFFIX, save_file)


class _DeferredRemoval:
    """A file backend whose ``remove``/``rmtree`` only record the path."""

    def __init__(self, backend, removals: list):
        self._backend = backend
        self._removals = removals

    def remove(self, path):
        self._removals.append(('remove', path))

    def rmtree(self, path):
        self._removals.append(('rmtree', path))

    def __getattr__(self, name):
        return getattr(self._backend, name)


def _remove_after_save(hook: CheckpointHook, method: str) -> None:
    """Make ``hook.<method>`` delete old checkpoints only after the new one
    is durable and ``last_checkpoint`` names it."""
    original = getattr(hook, method)

    def save_then_remove(runner, *args, **kwargs):
        removals: list = []
        backend = hook.file_backend
        hook.file_backend = _DeferredRemoval(backend, removals)
        try:
            result = original(runner, *args, **kwargs)
        finally:
            hook.file_backend = backend
        # Reached only once the save returned: the new file is renamed.
        if is_main_process():
            last = getattr(hook, 'last_ckpt', None)
            if last is not None and _is_local(runner.work_dir) and \
                    osp.isfile(osp.join(runner.work_dir, LAST)):
                write_last_checkpoint(runner.work_dir, last)
            for kind, path in removals:
                getattr(backend, kind)(path)
        return result

    setattr(hook, method, save_then_remove)


@HOOKS.register_module()
class CheckpointSafetyHook(Hook):
    """Durable local checkpoint writes, rotation after durability and a
    robust auto-resume (see the module docstring).

    Args:
        atomic (bool): durable writes and deferred rotation. Default True.
        resume_fallback (bool): auto-resume falls back to the newest intact
            checkpoint of the run when the latest one is missing or broken.
            Default True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, atomic: bool = True, resume_fallback: bool = True):
        for name, value in (('atomic', atomic),
                            ('resume_fallback', resume_fallback)):
            if not isinstance(value, bool):
                raise TypeError(f'CheckpointSafetyHook: {name} must be True '
                                f'or False, got {value!r}')
        self.atomic = atomic
        self.resume_fallback = resume_fallback

    def before_run(self, runner) -> None:
        if self.atomic and is_main_process() and _is_local(runner.work_dir):
            # Left by a run killed while saving: never a valid checkpoint.
            for stale in glob.glob(osp.join(runner.work_dir,
                                            '*.pth' + TMP_SUFFIX)):
                os.remove(stale)
        if self.atomic and not getattr(runner.save_checkpoint, 'atomic',
                                       False):
            self._make_saves_atomic(runner)
            for hook in runner.hooks:
                if isinstance(hook, CheckpointHook):
                    _remove_after_save(hook, '_save_checkpoint_with_step')
                    _remove_after_save(hook, '_save_best_checkpoint')
        if getattr(runner, '_resume', False) and runner._load_from is None \
                and _is_local(runner.work_dir):
            self._choose_resume_checkpoint(runner)

    # ---------------------------------------------------------------- writes
    @staticmethod
    def _make_saves_atomic(runner) -> None:
        original = runner.save_checkpoint  # bound, master_only

        def save_checkpoint(out_dir, filename, *args, **kwargs):
            if not _is_local(out_dir):
                return original(out_dir, filename, *args, **kwargs)
            final = osp.join(out_dir, filename)
            tmp = final + TMP_SUFFIX
            with _crc32_recorded():
                original(out_dir, filename + TMP_SUFFIX, *args, **kwargs)
            if is_main_process() and osp.isfile(tmp):  # rank 0 writes
                with open(tmp, 'rb') as f:
                    os.fsync(f.fileno())
                os.replace(tmp, final)
                _fsync_dir(out_dir)

        save_checkpoint.atomic = True
        runner.save_checkpoint = save_checkpoint

    # ---------------------------------------------------------------- resume
    def _choose_resume_checkpoint(self, runner) -> None:
        work_dir = runner.work_dir
        latest, note = resolve_last_checkpoint(work_dir)
        if latest is not None and _is_local(latest):
            problem = checkpoint_problem(latest)
            if problem is None:
                if note:
                    runner.logger.warning(f'Auto-resume: {note}.')
                # load_or_resume resumes _load_from (MMEngine would read a
                # relative last_checkpoint relative to the current directory)
                runner._load_from = latest
                runner.logger.info(
                    f'Auto resumed from the latest checkpoint {latest}.')
                return
            reason = f'the latest checkpoint {latest} is unusable ({problem})'
        elif latest is not None:
            return  # remote: MMEngine resumes it
        else:
            reason = note
        if not self.resume_fallback:
            if osp.isfile(osp.join(work_dir, LAST)):
                raise RuntimeError(f'Auto-resume: {reason} (resume_fallback '
                                   'is off).')
            return  # MMEngine starts from scratch
        dirs = [work_dir] + [
            osp.join(h.out_dir, osp.basename(work_dir.rstrip(osp.sep)))
            for h in runner.hooks if isinstance(h, CheckpointHook)
            and isinstance(h.out_dir, str) and _is_local(h.out_dir)
            and h.out_dir != work_dir]
        candidates = [p for d in dirs for p in _own_checkpoints(runner, d)]
        if not candidates and not osp.isfile(osp.join(work_dir, LAST)):
            return  # nothing of this run: MMEngine starts from scratch
        rejected = []
        for path in candidates:
            if path == latest:
                continue
            problem = _resume_problem(path)
            if problem is None:
                runner.logger.warning(
                    f'Auto-resume: {reason}; resuming from the newest '
                    f'intact checkpoint of this run, {path}, instead.')
                runner._load_from = path
                return
            rejected.append(f'{osp.basename(path)}: {problem}')
        raise RuntimeError(
            f'Auto-resume: {reason}, and no other intact checkpoint of this '
            f'run ({" or ".join(_filename_patterns(runner))}) is in '
            f'{work_dir}' + (f' (rejected: {"; ".join(rejected)})'
                             if rejected else '') +
            '. Pass --resume PATH to choose one, or remove last_checkpoint '
            'to start from scratch.')


class _crc32_recorded:
    """``torch.save`` records each member's CRC-32 (PyTorch's default, which
    ``torch.utils.serialization.config.save.compute_crc32`` can turn off)."""

    def __enter__(self):
        from torch.utils.serialization import config
        self._config = config.save
        self._previous = getattr(self._config, 'compute_crc32', True)
        self._config.compute_crc32 = True

    def __exit__(self, *exc):
        self._config.compute_crc32 = self._previous


def _fsync_dir(path: str) -> None:
    """Make a rename in ``path`` durable (POSIX; a no-op elsewhere)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
