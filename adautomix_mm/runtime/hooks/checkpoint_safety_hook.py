"""Atomic checkpoint writes and an auto-resume that skips broken files.

MMEngine 0.10.7 writes a checkpoint in place (``open(path, 'wb')``), so a
kill or a full disk during the write leaves a truncated file, and
``--resume`` (auto) reads only the file named in ``work_dir/last_checkpoint``
and stops if it is unreadable, although earlier good checkpoints exist.

* Atomic writes: for local work dirs, ``runner.save_checkpoint`` of this run
  writes ``<name>.tmp``, flushes it to disk and renames it over ``<name>``
  (``os.replace`` is atomic on POSIX and Windows), so a checkpoint file
  either is complete or does not exist; ``*.pth.tmp`` left by a killed run
  are removed when the next run starts. Remote backends are left alone.
* Auto-resume fallback: with ``resume=True`` and no ``load_from``, if the
  latest checkpoint is unreadable (not a complete zip archive, which is
  what ``torch.save`` writes) or ``last_checkpoint`` is missing while
  checkpoints exist, the newest readable ``*.pth`` of the work dir is
  resumed instead, with a warning naming both files.
"""
import glob
import os
import os.path as osp
import zipfile
from typing import List, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.runner.checkpoint import find_latest_checkpoint
from mmpretrain.registry import HOOKS

TMP_SUFFIX = '.tmp'


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a readable ``torch.save`` file, or None.

    Checks the zip container and the CRC of every member (no unpickling).
    """
    if not osp.isfile(path):
        return 'file not found'
    if osp.getsize(path) == 0:
        return 'empty file (0 bytes)'
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return f'not a complete checkpoint archive (truncated?): {err}'
    if broken is not None:
        return f'corrupted member {broken!r}'
    return None


def _is_local(path: str) -> bool:
    return '://' not in str(path)


def _candidates(work_dir: str) -> List[str]:
    files = [p for p in glob.glob(osp.join(work_dir, '*.pth'))
             if osp.isfile(p)]
    return sorted(files, key=osp.getmtime, reverse=True)


@HOOKS.register_module()
class CheckpointSafetyHook(Hook):
    """Atomic local checkpoint writes and a robust auto-resume."""

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
        if (self.resume_fallback and getattr(runner, '_resume', False)
                and runner._load_from is None):
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
            original(out_dir, filename + TMP_SUFFIX, *args, **kwargs)
            if is_main_process() and osp.isfile(tmp):  # rank 0 writes
                with open(tmp, 'rb') as f:
                    os.fsync(f.fileno())
                os.replace(tmp, final)

        save_checkpoint.atomic = True
        runner.save_checkpoint = save_checkpoint

    # ---------------------------------------------------------------- resume
    @staticmethod
    def _choose_resume_checkpoint(runner) -> None:
        work_dir = runner.work_dir
        latest = find_latest_checkpoint(work_dir)
        candidates = _candidates(work_dir)
        if latest is None and not candidates:
            return  # nothing to resume: MMEngine starts from scratch
        if latest is not None:
            problem = checkpoint_problem(latest)
            if problem is None:
                return  # MMEngine resumes it
            reason = f'the latest checkpoint {latest} is unreadable ({problem})'
        else:
            reason = (f'{osp.join(work_dir, "last_checkpoint")} is missing '
                      'although the work dir holds checkpoints')
        for path in candidates:
            if path != latest and checkpoint_problem(path) is None:
                runner.logger.warning(
                    f'Auto-resume: {reason}; resuming from the newest '
                    f'readable checkpoint {path} instead.')
                runner._load_from = path  # load_or_resume: resume this file
                return
        raise RuntimeError(f'Auto-resume: {reason}, and no other readable '
                           f'checkpoint (*.pth) is in {work_dir}. Remove the '
                           'broken file to start from scratch.')
