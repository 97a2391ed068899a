"""Distributed training on CPU (``torchrun ... --launcher pytorch``, gloo).

MMEngine 0.10.7 assumes CUDA in two places of its PyTorch launcher path:

* ``mmengine.dist.utils._init_dist_pytorch`` always calls
  ``torch.cuda.set_device(local_rank)``, which raises without a GPU;
* ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]`` to
  ``MMDistributedDataParallel``, which DDP rejects for CPU modules.

:func:`prepare_cpu_distributed` fixes both for one Runner construction only,
and only when no CUDA device is available: it selects the gloo backend,
sets ``device_ids=None`` in ``model_wrapper_cfg``, and turns
``torch.cuda.set_device`` into a no-op inside the returned context.
"""
import contextlib
from typing import Iterator

import torch
from mmengine.config import Config, ConfigDict


def _cuda_usable() -> bool:
    return torch.cuda.is_available() and torch.cuda.device_count() > 0


def prepare_cpu_distributed(cfg: Config, launcher: str) -> contextlib.AbstractContextManager:
    """Adapt ``cfg`` for CPU distributed training and return a context.

    Build the Runner inside the returned context. On a machine with CUDA, or
    with ``launcher='none'``, ``cfg`` is left untouched and the context does
    nothing.
    """
    if launcher == 'none' or _cuda_usable():
        return contextlib.nullcontext()
    env_cfg = cfg.setdefault('env_cfg', ConfigDict())
    dist_cfg = env_cfg.setdefault('dist_cfg', ConfigDict())
    dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg', None)
    if wrapper is None:
        wrapper = ConfigDict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    # DDP on CPU modules requires device_ids=None.
    wrapper['device_ids'] = None
    cfg['model_wrapper_cfg'] = wrapper
    return _no_cuda_set_device()


@contextlib.contextmanager
def _no_cuda_set_device() -> Iterator[None]:
    original = torch.cuda.set_device
    torch.cuda.set_device = lambda device: None
    try:
        yield
    finally:
        torch.cuda.set_device = original
