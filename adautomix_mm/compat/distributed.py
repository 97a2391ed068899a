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

:func:`finish_distributed` ends every distributed run of the entry points
(any launcher and backend) in order.
"""
import contextlib
import gc
from typing import Iterator

import torch
import torch.distributed as torch_dist
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


def finish_distributed() -> None:
    """End a distributed run in order while the interpreter is fully alive:
    all ranks meet at a barrier, the finished Runner (whose DDP reducer holds
    the process group) is collected, and the process group is destroyed,
    which joins its worker threads. Does nothing without a process group.

    Call it after the last reference to the Runner is gone. Without it, the
    process group outlives ``main``: a gloo worker thread that still holds a
    finished collective drops its tensors during interpreter shutdown, which
    needs the GIL; Python ends such a thread with ``pthread_exit`` and its
    unwinding through a C++ destructor calls ``std::terminate``
    ("terminate called without an active exception", SIGABRT, exit -6)
    after an otherwise successful run (seen under load, rank 0 or 1).
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    torch_dist.barrier()
    gc.collect()
    torch_dist.destroy_process_group()
