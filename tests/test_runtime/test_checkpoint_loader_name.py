"""MMEngine names a checkpoint loader in its log by the loader function's
name minus its first 10 characters; the package's loaders read right."""
import logging

import torch
from mmengine.logging import MMLogger
from mmengine.runner.checkpoint import CheckpointLoader

from adautomix_mm.runtime.compat import (safe_checkpoint_loading,
                                         trusted_checkpoint_loading)


def _log_of_load(tmp_path, context):
    path = tmp_path / 'w.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(2))), path)
    logger = MMLogger.get_instance('loader_name_test')
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        with context():
            ckpt = CheckpointLoader.load_checkpoint(
                str(path), map_location='cpu', logger='loader_name_test')
    finally:
        logger.removeHandler(handler)
    torch.testing.assert_close(ckpt['state_dict']['w'], torch.ones(2))
    return [r.getMessage() for r in records]


def test_weights_only_loader_is_logged_as_local_weights_only(tmp_path):
    (msg, ) = _log_of_load(tmp_path, safe_checkpoint_loading)
    assert msg.startswith('Loads checkpoint by local_weights_only backend '
                          'from path: ')


def test_trusted_loader_is_logged_as_local_trusted(tmp_path):
    (msg, ) = _log_of_load(tmp_path, trusted_checkpoint_loading)
    assert msg.startswith('Loads checkpoint by local_trusted backend from '
                          'path: ')


def test_mmengine_loader_is_restored_after_the_context(tmp_path):
    (msg, ) = _log_of_load(tmp_path, lambda: __import__(
        'contextlib').nullcontext())
    assert msg.startswith('Loads checkpoint by local backend from path: ')
