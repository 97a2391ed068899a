"""Loading MMEngine checkpoints with PyTorch >= 2.6, without full unpickling.

PyTorch 2.6 changed ``torch.load``'s default to ``weights_only=True``.
MMEngine 0.10.7 calls ``torch.load`` without that argument, and its
checkpoints hold a few non-tensor types (``HistoryBuffer`` of the message
hub, NumPy arrays and scalars), so ``--resume`` and ``load_from`` fail with
``Unsupported global``.

* :func:`safe_checkpoint_loading` (used by ``tools/train.py`` and
  ``tools/test.py`` around the whole run): MMEngine's local loader uses
  ``torch.load(weights_only=True)`` with :data:`MMENGINE_SAFE_GLOBALS`, an
  allow-list of the types MMEngine writes (``torch.serialization.
  safe_globals``; scoped to the context, nothing global). Resume, ``load_from``
  and ``init_cfg`` pretrained files all load this way; a file that needs any
  other global (a crafted pickle, whose unpickling would run code) is refused.
  Empty or truncated files raise an error naming the file.
* Every load verifies the checksums recorded at save (:func:`checksum_problem`:
  the CRC-32 of each member of the zip archive ``torch.save`` writes, i.e. of
  the pickled structure and of every tensor's bytes); a changed byte raises
  an error naming the file.
* ``meta['config']``, which ``Runner.resume`` executes as Python, is reduced
  to the ``gpu_ids`` it reads, parsed without running anything
  (:func:`~adautomix_mm.compat.stored_config.gpu_ids_only`); if it holds
  code, it is dropped with a warning (nothing in it runs).
* :func:`trust_checkpoints_while_loading` (``--trust-checkpoint``): full
  unpickling, but only while the runner resumes or loads ``load_from`` -- for
  your own checkpoints that hold other types. Unpickling executes code from
  the file: trusted files only.
* :func:`trusted_checkpoint_loading`: the full-unpickling context itself.
"""
import contextlib
import logging
import os.path as osp
import zipfile
from typing import Iterator, Optional

import numpy as np
import torch
from mmengine.logging import print_log
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner import checkpoint as mme_checkpoint

from .stored_config import UnsafeConfigError, gpu_ids_only


def _numpy_globals() -> list:
    """NumPy reconstructors and dtype classes that ``np.ndarray`` and NumPy
    scalars pickle through (names differ between NumPy 1.x and 2.x)."""
    try:
        from numpy._core import multiarray
    except ImportError:  # NumPy 1.x
        from numpy.core import multiarray
    found = [multiarray._reconstruct, multiarray.scalar, np.ndarray, np.dtype]
    dtypes = getattr(np, 'dtypes', None)  # NumPy >= 1.25
    if dtypes is not None:
        found += [getattr(dtypes, name) for name in dir(dtypes)
                  if name.endswith('DType')]
    return found


def _history_buffer_getattr(obj, name):
    """Stands in for ``builtins.getattr`` while unpickling: a pickled
    ``HistoryBuffer`` refers to its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``. Any other use is refused (a general
    ``getattr`` would reach arbitrary methods of allowed objects)."""
    allowed = {'min', 'max', 'current', 'mean'}
    allowed.update(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise __import__('pickle').UnpicklingError(
        f'refused getattr({obj!r}, {name!r}) in a checkpoint: only '
        'HistoryBuffer statistics methods are allowed')


# Every non-tensor global found in MMEngine 0.10.7 checkpoints of this
# package (message hub buffers, NumPy values in runtime info/meta).
MMENGINE_SAFE_GLOBALS = [HistoryBuffer, (_history_buffer_getattr,
                                         'builtins.getattr')] + _numpy_globals()


ZIP_MAGIC = b'PK\x03\x04'


def checksum_problem(path: str) -> Optional[str]:
    """Why ``path`` is not an intact ``torch.save`` file, or None.

    ``torch.save`` writes a zip archive and records the CRC-32 of every
    member (the pickled structure, each tensor's bytes); every member is read
    and checked against it, nothing is unpickled. Files in PyTorch's legacy
    (non-zip) format carry no checksum and pass; so do members saved without
    one (``torch.utils.serialization.config.save.compute_crc32=False``).
    """
    if not osp.isfile(path):
        return 'file not found'
    if osp.getsize(path) == 0:
        return 'empty file (0 bytes)'
    with open(path, 'rb') as f:
        if f.read(4) != ZIP_MAGIC:
            return None  # legacy torch format: no checksum recorded
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.CRC == 0 and info.file_size > 0:
                    continue  # saved without a checksum
                try:
                    with archive.open(info) as member:
                        while member.read(1 << 24):
                            pass
                except zipfile.BadZipFile as err:
                    return (f'member {info.filename!r} does not match the '
                            f'checksum recorded when it was saved ({err})')
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return f'not a complete checkpoint archive (truncated?): {err}'
    return None


def _check_file(filename: str) -> str:
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    if osp.getsize(filename) == 0:
        raise RuntimeError(f'checkpoint {filename} is empty (0 bytes): it was '
                           'not written completely; use another checkpoint.')
    problem = checksum_problem(filename)
    if problem is not None:
        raise RuntimeError(f'checkpoint {filename} is truncated or corrupted: '
                           f'{problem}. Use another checkpoint (auto-resume '
                           'picks the newest intact one).')
    return filename


def _defuse_meta_config(checkpoint, filename: str):
    """``Runner.resume`` executes ``meta['config']``: keep only its
    ``gpu_ids``, parsed without running anything; text holding code is
    dropped with a warning."""
    meta = checkpoint.get('meta', None) if isinstance(checkpoint, dict) \
        else None
    if isinstance(meta, dict) and isinstance(meta.get('config', None), str):
        try:
            meta['config'] = gpu_ids_only(meta['config'],
                                          f"meta['config'] of {filename}")
        except UnsafeConfigError as err:
            meta.pop('config')
            print_log(f'{str(err).split(";")[0]}: MMEngine\'s resume would '
                      'execute it, so it is dropped and nothing in it runs '
                      '(--trust-checkpoint keeps it).', logger='current',
                      level=logging.WARNING)
    return checkpoint


def _load(filename: str, map_location, weights_only: bool):
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=weights_only)
    except (EOFError, RuntimeError) as err:
        if 'central directory' in str(err) or isinstance(err, EOFError) or \
                'failed finding' in str(err):
            raise RuntimeError(
                f'checkpoint {filename} is truncated or corrupted ({err}); '
                'use another checkpoint (auto-resume picks the newest '
                'readable one).') from err
        raise


def load_weights_only(filename: str, map_location=None):
    """``torch.load(weights_only=True)`` plus MMEngine's types, with clear
    errors for missing, empty, truncated and disallowed files."""
    filename = _check_file(filename)
    with torch.serialization.safe_globals(MMENGINE_SAFE_GLOBALS):
        try:
            return _defuse_meta_config(
                _load(filename, map_location, weights_only=True), filename)
        except __import__('pickle').UnpicklingError as err:
            raise __import__('pickle').UnpicklingError(
                f'{filename} holds types outside the allow-list of what '
                'MMEngine writes, and loading it would unpickle them (which '
                'can run code from the file); it is refused. If it is your '
                'own checkpoint for --resume/load_from, pass '
                f'--trust-checkpoint. Details: {err}') from err


# MMEngine logs a loader as "Loads checkpoint by <name> backend", <name> being
# the function's name minus its first 10 characters (its own loaders are
# ``load_from_local`` -> "local", ``load_from_http`` -> "http"); hence these
# names: "local_weights_only" and "local_trusted" (--trust-checkpoint).
def load_from_local_weights_only(filename, map_location=None, logger=None):
    """MMEngine's local loader with ``weights_only=True`` and the
    allow-list :data:`MMENGINE_SAFE_GLOBALS`."""
    return load_weights_only(filename, map_location)


def load_from_local_trusted(filename, map_location=None, logger=None):
    """MMEngine's local loader with full unpickling (``--trust-checkpoint``)."""
    # Same behaviour as mmengine's ``load_from_local`` with the pickle
    # safety check relaxed; the caller asked for it explicitly.
    return _load(_check_file(filename), map_location, weights_only=False)


@contextlib.contextmanager
def _local_loader(loader_fn) -> Iterator[None]:
    schemes = mme_checkpoint.CheckpointLoader._schemes
    previous = schemes.get('', None)
    schemes[''] = loader_fn
    try:
        yield
    finally:
        if previous is None:
            schemes.pop('', None)
        else:
            schemes[''] = previous


def safe_checkpoint_loading() -> contextlib.AbstractContextManager:
    """Within the context, MMEngine loads local files weights-only with the
    allow-list :data:`MMENGINE_SAFE_GLOBALS`."""
    return _local_loader(load_from_local_weights_only)


def trusted_checkpoint_loading() -> contextlib.AbstractContextManager:
    """Within the context, MMEngine fully unpickles local checkpoints."""
    return _local_loader(load_from_local_trusted)


def trust_checkpoints_while_loading(runner) -> None:
    """Full unpickling for ``runner``'s resume/``load_from`` only (not for
    ``init_cfg`` pretrained files, which load during weight init)."""
    original = runner.load_or_resume

    def load_or_resume():
        with trusted_checkpoint_loading():
            return original()

    runner.load_or_resume = load_or_resume
