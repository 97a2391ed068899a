"""The machinery around the methods: command-line entry points (``cli``),
narrow fixes for MMEngine/PyTorch traps (``compat``), the hooks of long runs
(``hooks``: RNG state in checkpoints, atomic checkpoints with auto-resume
fallback, the non-finite-loss guard, resuming at a scaled learning rate) and
of readable logs (``hooks``, ``log_processor``).

``models/`` and ``engine/`` hold the methods and their schedules only.
Importing this package registers the hooks and the log processor; ``cli``
and ``compat`` are imported by the entry points only and change nothing on
import.
"""
from . import hooks, log_processor  # noqa: F401
