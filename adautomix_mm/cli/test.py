"""Evaluate a checkpoint (``tools/test.py`` and ``mim test``)."""
import argparse
import os.path as osp

from mmengine.runner import Runner

from adautomix_mm.cli.common import (add_common_args, check_dist_timeout,
                                     enable_amp, export_local_rank,
                                     load_config)
from adautomix_mm.compat import (prepare_cpu_distributed,
                                 safe_checkpoint_loading,
                                 trust_checkpoints_while_loading)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint', help='checkpoint file (loaded with weights_only=True '
        'and an allow-list of the types MMEngine writes)')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='fully unpickle the checkpoint (runs code from the file: only '
        'your own files) when it holds types beyond the allow-list')
    parser.add_argument(
        '--out', help='dump the predictions to this .pkl file')
    parser.add_argument(
        '--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument(
        '--robustness',
        nargs='?',
        const='default',
        metavar='METRICS_FILE',
        help='also evaluate calibration and robustness (ECE, corruptions, '
        'occlusion, FGSM) for every evaluated network; the metric list is '
        'configs/_base_/evaluation/robustness.py unless a file is given')
    add_common_args(parser)
    args = parser.parse_args(argv)
    export_local_rank(args)
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out must be a .pkl file, got {args.out!r}')
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    check_dist_timeout(cfg)
    if args.robustness is not None:
        from adautomix_mm.evaluation.suite import add_robustness_metrics
        add_robustness_metrics(cfg, robustness_file(args.robustness))
    if args.amp:
        cfg.test_cfg = dict(cfg.get('test_cfg') or {}, fp16=True)
    with prepare_cpu_distributed(cfg, args.launcher):
        runner = Runner.from_cfg(cfg)
    if args.out is not None:
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    if args.trust_checkpoint:
        trust_checkpoints_while_loading(runner)
    with safe_checkpoint_loading():
        metrics = runner.test()
    return metrics


def robustness_file(arg: str) -> str:
    """The metric-list file of ``--robustness`` (default: the package's)."""
    if arg != 'default':
        if not osp.isfile(arg):
            raise FileNotFoundError(f'--robustness: no file {arg!r}')
        return arg
    import adautomix_mm
    pkg = osp.dirname(adautomix_mm.__file__)
    rel = osp.join('_base_', 'evaluation', 'robustness.py')
    for root in (osp.join(pkg, '.mim', 'configs'),
                 osp.join(osp.dirname(pkg), 'configs')):
        if osp.isfile(osp.join(root, rel)):
            return osp.join(root, rel)
    raise FileNotFoundError(f'--robustness: configs/{rel} not found beside '
                            f'the package ({pkg}); pass the file explicitly')


if __name__ == '__main__':
    main()
