"""Test helper: record each rank's threads when its interpreter exits.

At ``atexit`` (after the entry point's ``main`` returned, before the
interpreter shuts down) every rank writes the names of its threads
(``/proc/self/task/*/comm``, Linux) to
``<work_dir>/rank{R}_exit_threads.json``. A process group still alive there
shows as gloo's threads (``proc_threads.GLOO_THREADS``: the exit abort);
``proc_threads.load_exit_threads`` reads the files back. Add it from the
command line (folder on ``PYTHONPATH``)::

    --cfg-options default_hooks.exit_threads.type=exit_threads.ExitThreadsHook
"""
import atexit
import json
import os.path as osp

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from proc_threads import EXIT_THREADS, thread_names


@HOOKS.register_module(force=True)
class ExitThreadsHook(Hook):

    def before_run(self, runner) -> None:
        path = osp.join(runner.work_dir, EXIT_THREADS.format(rank=get_rank()))

        def write():
            with open(path, 'w') as f:
                json.dump(thread_names(), f)

        atexit.register(write)
