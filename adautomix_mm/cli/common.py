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
