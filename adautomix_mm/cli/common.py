"""Argument handling shared by the train and test entry points.

The options mirror mmpretrain's ``tools/train.py``/``tools/test.py`` so that
``mim train``/``mim test`` and existing habits work unchanged.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--work-dir', help='directory for logs and checkpoints')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. model.mix_samples=2 '
        "'train_dataloader.batch_size=32'")
    parser.add_argument(
        '--launcher', choices=LAUNCHERS, default='none', help='job launcher')
    # torch.distributed.launch (used by `mim train --launcher pytorch`) passes
    # --local-rank=K in recent PyTorch and --local_rank=K in older ones.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def export_local_rank(args: argparse.Namespace) -> None:
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)


def load_config(args: argparse.Namespace) -> Config:
    """Read the config and apply ``--cfg-options``, launcher and work dir."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
        import_custom_modules_from_options(cfg, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        name = osp.splitext(osp.basename(args.config))[0]
        cfg.work_dir = osp.join('./work_dirs', name)
    return cfg


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
                  ('checkpoint_safety', 'CheckpointSafetyHook'))


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
