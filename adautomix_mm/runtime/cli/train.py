"""Train a model from a config (``tools/train.py`` and ``mim train``).

MMPretrain 1.2's ``tools/train.py`` options and config merging (its own
``parse_args`` parser and ``merge_args``, incl. its dataloader defaults and
``runner_type``), plus this package's:

* ``--trust-checkpoint``; checkpoints otherwise load weights-only;
* ``--resume-lr-scale``: resume with every learning rate (and the rest of
  its schedule) scaled (:class:`~adautomix_mm.engine.hooks.ResumeLrScaleHook`);
* ``--amp`` on multi-optimizer configs (AdAutoMix's classifier + generator:
  mmpretrain's sets the outer wrapper's type, which breaks them);
* ``--no-validate`` applied after ``--cfg-options`` (which may then still
  name ``val_dataloader`` keys, as the package's tests and scripts do);
* ``--auto-scale-lr`` with a clear error when the config has no
  ``auto_scale_lr.base_batch_size``;
* mmpretrain's default ``persistent_workers=True`` is not added to a loader
  without workers (PyTorch refuses the pair); set explicitly, it is kept;
* the long-run hooks (NonFiniteLoss, RngState, CheckpointSafety,
  Preemption) and the ``env_cfg.dist_cfg.timeout`` check; the final
  validation metrics logged;
* a distributed run ends in order (barrier, process group destroyed, see
  :func:`~adautomix_mm.runtime.compat.finish_distributed`).
"""
import argparse
import signal
import sys

from mmengine.config import Config

from adautomix_mm.runtime.cli import mmpretrain_tools
from adautomix_mm.runtime.cli.common import (
    add_long_run_hooks, check_dist_timeout, enable_amp, export_local_rank,
    filter_known_warnings, import_custom_modules_from_options)
from adautomix_mm.runtime.compat import (finish_distributed,
                                         prepare_cpu_distributed,
                                         safe_checkpoint_loading,
                                         trust_checkpoints_while_loading)
from adautomix_mm.datasets.checks import (LOADERS, check_datasets,
                                          check_train_batch,
                                          explain_data_errors)
from adautomix_mm.runtime.hooks.preemption_hook import TrainingPreempted


def parse_args(argv=None) -> argparse.Namespace:
    parser = mmpretrain_tools.tool_parser('train')
    parser.description = 'Train a classifier'
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='fully unpickle the --resume/load_from checkpoint (runs code '
        'from the file: only your own files) when it holds types beyond '
        'the allow-list of what MMEngine writes')
    parser.add_argument(
        '--resume-lr-scale', type=float, metavar='SCALE',
        help='with --resume: multiply every restored learning rate and the '
        'rest of its schedule by SCALE (e.g. 0.1 after a divergence); '
        'checkpoints written afterwards hold the new rate')
    args = parser.parse_args(argv)
    if args.resume_lr_scale is not None:
        if args.resume is None:
            parser.error('--resume-lr-scale needs --resume (it changes the '
                         'learning rates a resume restores)')
        if not args.resume_lr_scale > 0:
            parser.error('--resume-lr-scale must be positive, got '
                         f'{args.resume_lr_scale}')
    export_local_rank(args)
    return args


def build_train_config(args: argparse.Namespace) -> Config:
    """The config as mmpretrain's ``tools/train.py`` makes it, with this
    package's options and fixes applied."""
    cfg = Config.fromfile(args.config)
    explicit = _explicit_persistent_workers(cfg, args.cfg_options or {})
    # --no-validate after --cfg-options (mmpretrain merges the options last,
    # so `val_dataloader.*` options with --no-validate fail there).
    cfg = mmpretrain_tools.merge_args('train', cfg, args, amp=False,
                                      auto_scale_lr=False, no_validate=False,
                                      cfg_options=None)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
        import_custom_modules_from_options(cfg, args.cfg_options)
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.amp:
        enable_amp(cfg)
    if args.auto_scale_lr:
        base = (cfg.get('auto_scale_lr', None) or {}).get('base_batch_size')
        if base is None:
            raise ValueError(
                '--auto-scale-lr needs `auto_scale_lr.base_batch_size` in the '
                'config (the total batch size the learning rate was set '
                'for), e.g. --cfg-options auto_scale_lr.base_batch_size=256')
        cfg.auto_scale_lr['enable'] = True
    for name in LOADERS:
        loader = cfg.get(name, None)
        if loader is not None and name not in explicit and \
                not loader.get('num_workers', 0) and \
                loader.get('persistent_workers', False):
            loader['persistent_workers'] = False
    add_long_run_hooks(cfg)
    if getattr(args, 'resume_lr_scale', None) is not None:
        cfg.custom_hooks = list(cfg.get('custom_hooks', None) or []) + [
            dict(type='ResumeLrScaleHook', scale=args.resume_lr_scale)]
    check_dist_timeout(cfg)
    check_datasets(cfg)
    check_train_batch(cfg)
    return cfg


def _explicit_persistent_workers(cfg: Config, options: dict) -> set:
    """Loaders whose ``persistent_workers`` the config file or
    ``--cfg-options`` sets (mmpretrain's merge adds it to all)."""
    found = {name for name in LOADERS
             if 'persistent_workers' in (cfg.get(name, None) or {})}
    for key in options:
        name, _, rest = key.partition('.')
        if name in LOADERS and (rest == 'persistent_workers' or (
                not rest and 'persistent_workers' in (options[key] or {}))):
            found.add(name)
    return found


def main(argv=None) -> dict:
    """Train; return the final validation metrics.

    A distributed run ends in order (:func:`finish_distributed`), also when
    :class:`~adautomix_mm.engine.hooks.PreemptionHook` stopped it, which then
    exits with ``128 + signal number``, ignoring the hook's signals meanwhile.
    """
    filter_known_warnings()
    args = parse_args(argv)
    try:
        metrics = _train(args)
    except TrainingPreempted as stop:
        code = stop.code
        # The checkpoint is written: while this rank ends, a launcher's
        # forwarded signal (torchrun's SIGTERM to the ranks still running
        # once one has exited) would kill it with -15 instead of `code`.
        for signum in stop.signals:
            signal.signal(signum, signal.SIG_IGN)
    else:
        code = None
    # The Runner is gone with _train's frame (and the exception's traceback).
    finish_distributed()
    if code is not None:
        sys.exit(code)
    return metrics


def _train(args: argparse.Namespace) -> dict:
    cfg = build_train_config(args)
    with prepare_cpu_distributed(cfg, args.launcher):
        runner = mmpretrain_tools.build_runner(cfg)
    # Every checkpoint loads with torch.load(weights_only=True) and an
    # allow-list of the types MMEngine writes; --trust-checkpoint allows full
    # unpickling for resume/load_from only (not for init_cfg files).
    if args.trust_checkpoint:
        trust_checkpoints_while_loading(runner)
    with safe_checkpoint_loading(), explain_data_errors(cfg):
        runner.train()
    return report_final_metrics(runner)


def report_final_metrics(runner) -> dict:
    """Log the metrics of the last validation, as computed by the
    evaluator (e.g. ``accuracy_ema/top1`` = EMA teacher, ``accuracy_online``
    = online network, ``accuracy/top1`` = the single network)."""
    metrics = {
        key[len('val/'):]: float(buf.current())
        for key, buf in runner.message_hub.log_scalars.items()
        if key.startswith('val/') and key not in ('val/time', 'val/data_time')
    }
    if metrics:
        text = '  '.join(f'{k}: {v:.2f}' for k, v in sorted(metrics.items()))
        runner.logger.info(f'Final validation (epoch {runner.epoch}, '
                           f'iteration {runner.iter}): {text}')
    return metrics


if __name__ == '__main__':
    main()
