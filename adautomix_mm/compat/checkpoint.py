"""Loading MMEngine checkpoints with PyTorch >= 2.6.

PyTorch 2.6 changed ``torch.load``'s default to ``weights_only=True``.
MMEngine 0.10.7 calls ``torch.load`` without that argument, and its
checkpoints hold pickled objects (``HistoryBuffer``, numpy scalars, ...), so
``--resume`` and ``load_from`` fail with ``Unsupported global``.

:func:`trusted_checkpoint_loading` lets MMEngine's local-file loader read such
checkpoints with ``weights_only=False`` while the context is active, and only
there. Unpickling executes code from the file: **load only checkpoints you
trust** (your own runs, or files from a source you trust).
"""
import contextlib
from typing import Iterator

import torch
from mmengine.runner import checkpoint as mme_checkpoint


def _load_trusted_local(filename, map_location=None, logger=None):
    # Same behaviour as mmengine's ``load_from_local`` with the pickle
    # safety check relaxed; the caller asked for it explicitly.
    import os.path as osp
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


@contextlib.contextmanager
def trusted_checkpoint_loading() -> Iterator[None]:
    """Within the context, MMEngine loads local checkpoints as trusted files."""
    loader = mme_checkpoint.CheckpointLoader
    schemes = loader._schemes
    previous = schemes.get('', None)
    schemes[''] = _load_trusted_local
    try:
        yield
    finally:
        if previous is None:
            schemes.pop('', None)
        else:
            schemes[''] = previous
