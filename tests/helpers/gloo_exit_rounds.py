"""Test helper: many 2-process gloo runs, each ending as the entry points do.

``python gloo_exit_rounds.py ROUNDS OUT_JSON [--control]``

Each round forks two ranks from this (already imported) interpreter: cheap
(no torch import per process), and every rank still ends through a full
interpreter shutdown, where the gloo exit abort (``std::terminate`` from a
worker thread) happened. A rank
builds a gloo process group, trains two DDP steps, runs the collectives an
MMEngine run ends with (``all_gather_object`` of results, a broadcast), lets
its model go and calls :func:`adautomix_mm.runtime.compat.finish_distributed`
(loaded from this checkout's file); with ``--control`` one more round skips
that call (the entry points before the fix). At interpreter exit (``atexit``:
after ``main``, before shutdown) every rank records its threads' names.
``OUT_JSON`` gets one record per round: both ranks' exit statuses
(``os.waitstatus_to_exitcode``: ``-6`` is SIGABRT), their thread names and
whether the round tore down.
"""
import atexit
import gc
import importlib.util
import json
import os
import socket
import sys

import torch
import torch._dynamo  # noqa: F401  (else DDP imports it: ~900 modules)
import torch.distributed as dist
from proc_threads import thread_names

# The module by file path: the package's __init__ imports every model
# (seconds per process, and a slower shutdown of every forked rank).
_SPEC = importlib.util.spec_from_file_location(
    '_adautomix_distributed',
    os.path.join(os.path.dirname(__file__), '..', '..', 'adautomix_mm',
                 'runtime', 'compat', 'distributed.py'))
_distributed = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_distributed)
finish_distributed = _distributed.finish_distributed

WORLD_SIZE = 2


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _train(rank: int) -> None:
    torch.manual_seed(rank)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(8, 4))
    for _ in range(2):
        model(torch.randn(16, 8)).sum().backward()
    results = [None] * WORLD_SIZE
    dist.all_gather_object(results, {'rank': rank, 'acc': torch.rand(1)})
    dist.broadcast_object_list(results, src=0)
    dist.all_reduce(torch.ones(4096))


def _rank(rank: int, port: int, teardown: bool, record: str) -> None:
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      RANK=str(rank), WORLD_SIZE=str(WORLD_SIZE))
    dist.init_process_group('gloo')

    def write_threads():
        with open(record, 'w') as f:
            json.dump(thread_names(), f)

    atexit.register(write_threads)
    _train(rank)
    if teardown:
        finish_distributed()


def main() -> bool:
    """Run the rounds; True in a forked rank (which then just exits)."""
    rounds, out = int(sys.argv[1]), sys.argv[2]
    control = '--control' in sys.argv[3:]
    records = []
    gc.freeze()  # the forked ranks' garbage collections skip the imports
    for i in range(rounds + control):
        teardown = i < rounds
        port = _free_port()
        sys.stdout.flush()
        sys.stderr.flush()
        pids = []
        for rank in range(WORLD_SIZE):
            record = f'{out}.round{i}.rank{rank}'
            pid = os.fork()
            if pid == 0:
                _rank(rank, port, teardown, record)
                return True
            pids.append((pid, record))
        statuses, threads = [], []
        for pid, record in pids:
            statuses.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            try:
                with open(record) as f:
                    threads.append(json.load(f))
                os.remove(record)
            except OSError:
                threads.append(None)
        records.append(dict(statuses=statuses, threads=threads,
                            teardown=teardown))
    with open(out, 'w') as f:
        json.dump(records, f)
    return False


if __name__ == '__main__':
    main()
