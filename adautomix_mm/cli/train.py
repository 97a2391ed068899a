"""Train a model from a config (``tools/train.py`` and ``mim train``)."""
import argparse

from mmengine.runner import Runner

from adautomix_mm.cli.common import (add_common_args, add_long_run_hooks,
                                     check_dist_timeout, enable_amp,
                                     export_local_rank, load_config)
from adautomix_mm.compat import (prepare_cpu_distributed,
                                 safe_checkpoint_loading,
                                 trust_checkpoints_while_loading)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a classifier')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or from the latest one in '
        'the work dir when no path is given (the newest readable one)')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='fully unpickle the --resume/load_from checkpoint (runs code '
        'from the file: only your own files) when it holds types beyond '
        'the allow-list of what MMEngine writes')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--no-validate', action='store_true', help='skip validation')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the LR by the real batch size (auto_scale_lr in the cfg)')
    parser.add_argument(
        '--no-pin-memory', action='store_true', help='pin_memory=False')
    parser.add_argument(
        '--no-persistent-workers', action='store_true',
        help='persistent_workers=False')
    add_common_args(parser)
    args = parser.parse_args(argv)
    export_local_rank(args)
    return args


def build_train_config(args: argparse.Namespace):
    cfg = load_config(args)
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.amp:
        enable_amp(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        base = (cfg.get('auto_scale_lr', None) or {}).get('base_batch_size')
        if base is None:
            raise ValueError(
                '--auto-scale-lr needs `auto_scale_lr.base_batch_size` in the '
                'config (the total batch size the learning rate was set '
                'for), e.g. --cfg-options auto_scale_lr.base_batch_size=256')
        cfg.auto_scale_lr['enable'] = True
    add_long_run_hooks(cfg)
    check_dist_timeout(cfg)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name, None)
        if loader is None:
            continue
        if args.no_pin_memory:
            loader['pin_memory'] = False
        if args.no_persistent_workers:
            loader['persistent_workers'] = False
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = build_train_config(args)
    with prepare_cpu_distributed(cfg, args.launcher):
        runner = Runner.from_cfg(cfg)
    # Every checkpoint loads with torch.load(weights_only=True) and an
    # allow-list of the types MMEngine writes; --trust-checkpoint allows full
    # unpickling for resume/load_from only (not for init_cfg files).
    if args.trust_checkpoint:
        trust_checkpoints_while_loading(runner)
    with safe_checkpoint_loading():
        runner.train()
    report_final_metrics(runner)
    return runner


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
