"""Config fixes shared by the train and test entry points.

The options themselves are mmpretrain's ``tools/train.py``/``tools/test.py``
parsers (see :mod:`adautomix_mm.cli.mmpretrain_tools`), so ``mim train``/
``mim test`` and existing habits work unchanged.
"""
import argparse
import os

from mmengine.config import Config


# Warnings of other libraries that this package's entry points trigger on
# every CPU run and that ask nothing of the user: (message start, category,
# module that warns).
KNOWN_WARNINGS = (
    # mmpretrain's train/test defaults set pin_memory=True; without an
    # accelerator PyTorch ignores it and warns at every loader iterator.
    ("'pin_memory' argument is set as true but no accelerator is found",
     UserWarning, 'torch.utils.data.dataloader'),
)


def filter_known_warnings() -> None:
    """Ignore :data:`KNOWN_WARNINGS` (in this process; the entry points
    call it before building the runner)."""
    import re
    import warnings
    for message, category, module in KNOWN_WARNINGS:
        warnings.filterwarnings('ignore', message=re.escape(message),
                                category=category, module=re.escape(module))


def export_local_rank(args: argparse.Namespace) -> None:
    """``LOCAL_RANK`` from ``--local-rank`` (as mmpretrain's scripts)."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)


def import_custom_modules_from_options(cfg: Config, options: dict) -> None:
    """Import ``custom_imports`` again when ``--cfg-options`` changed it.

    ``Config.fromfile`` imports the file's ``custom_imports`` before the
    command-line options are merged, so without this
    ``--cfg-options custom_imports.imports=[mypkg]`` would be silently
    ignored (and a misspelled module name would go unnoticed).
    """
    if not any(k == 'custom_imports' or k.startswith('custom_imports.')
               for k in options):
        return
    custom = cfg.get('custom_imports', None)
    if custom:
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**custom)


def enable_amp(cfg: Config) -> None:
    """Switch every optimizer wrapper of ``cfg`` to ``AmpOptimWrapper``.

    A multi-optimizer config (``constructor`` with one sub-dict per
    optimizer) gets the type set per sub-wrapper; setting it on the outer dict
    would break it.
    """
    optim = cfg.optim_wrapper
    subs = [v for v in optim.values() if isinstance(v, dict) and 'optimizer' in v]
    targets = subs if ('optimizer' not in optim and subs) else [optim]
    for wrapper in targets:
        if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            continue
        wrapper['type'] = 'AmpOptimWrapper'
        wrapper.setdefault('loss_scale', 'dynamic')


# Hooks of this package that protect long runs (docs/long_runs.md). The
# package's configs list them in ``default_hooks``; the entry points add the
# missing ones to any other config (e.g. a plain MMPretrain config with
# ``custom_imports``). A key set to None in ``default_hooks`` switches one off.
LONG_RUN_HOOKS = (('nonfinite_loss', 'NonFiniteLossHook'),
                  ('rng_state', 'RngStateHook'),
                  ('checkpoint_safety', 'CheckpointSafetyHook'),
                  ('preemption', 'PreemptionHook'))


def add_long_run_hooks(cfg: Config) -> None:
    default_hooks = cfg.get('default_hooks', None)
    if default_hooks is None:
        default_hooks = cfg['default_hooks'] = {}
    listed = [h for h in list(default_hooks.values()) +
              list(cfg.get('custom_hooks', None) or []) if h is not None]
    types = {h.get('type') if isinstance(h, dict) else type(h).__name__
             for h in listed}
    for key, type_name in LONG_RUN_HOOKS:
        if key in default_hooks and default_hooks[key] is None:
            # Switched off. MMEngine asserts on None for keys that are not
            # its own default hooks, so the key is removed.
            default_hooks.pop(key)
        elif key not in default_hooks and type_name not in types:
            default_hooks[key] = dict(type=type_name)


def check_dist_timeout(cfg: Config) -> None:
    """``env_cfg.dist_cfg.timeout``: seconds a rank waits in a collective
    for a stalled one (MMEngine passes it to ``init_process_group``)."""
    dist_cfg = (cfg.get('env_cfg', None) or {}).get('dist_cfg', None) or {}
    timeout = dist_cfg.get('timeout', None)
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or timeout <= 0:
        raise ValueError(
            'env_cfg.dist_cfg.timeout must be a positive number of seconds '
            f'(how long ranks wait for a stalled one), got {timeout!r}')
