"""Test helper: the names of this process's threads (Linux).

A gloo process group still alive shows as its ``pt_gloo_runloop`` worker and
``gloo_tcp_loop`` transport threads (they must be gone by the time the
interpreter shuts down, or a thread ended in a C++ destructor aborts it).
"""
import json
import os
import os.path as osp

GLOO_THREADS = ('pt_gloo_runloop', 'gloo_tcp_loop')
# Written by exit_threads.ExitThreadsHook in the work dir.
EXIT_THREADS = 'rank{rank}_exit_threads.json'


def thread_names() -> list:
    """``/proc/self/task/*/comm`` of every thread of this process."""
    names = []
    for task in sorted(os.listdir('/proc/self/task')):
        try:
            with open(f'/proc/self/task/{task}/comm') as f:
                names.append(f.read().strip())
        except OSError:  # ended meanwhile
            pass
    return names


def load_exit_threads(work_dir) -> list:
    """``[thread names of rank 0, of rank 1, ...]`` at their exit."""
    found = []
    while osp.isfile(osp.join(work_dir, EXIT_THREADS.format(rank=len(found)))):
        with open(osp.join(work_dir,
                           EXIT_THREADS.format(rank=len(found)))) as f:
            found.append(json.load(f))
    return found
