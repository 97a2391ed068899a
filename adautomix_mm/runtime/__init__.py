"""The machinery around the methods: command-line entry points (``cli``),
narrow fixes for MMEngine/PyTorch traps (``compat``) and the run-safety
hooks of long runs (``hooks``: RNG state in checkpoints, atomic checkpoints
with auto-resume fallback, the non-finite-loss guard).

``models/`` and ``engine/`` hold the methods and their schedules only.
Importing this package registers the hooks; ``cli`` and ``compat`` are
imported by the entry points only and change nothing on import.
"""
from . import hooks  # noqa: F401
