"""Evaluate a checkpoint (``tools/test.py`` and ``mim test``).

MMPretrain 1.2's ``tools/test.py`` options and config merging (its own
``parse_args`` parser and ``merge_args``: ``--out``/``--out-item``,
``--tta``, ``--show``/``--show-dir``/``--interval``/``--wait-time``,
``--no-pin-memory``, ...), plus this package's:

* checkpoints load with ``torch.load(weights_only=True)`` and the allow-list
  of what MMEngine writes; ``--trust-checkpoint`` for full unpickling;
* ``--robustness``: calibration and robustness metrics;
* ``--amp`` also on configs without ``test_cfg``;
* ``--tta`` on a config without ``tta_model`` uses
  :class:`~adautomix_mm.models.tta.AverageNetworkScoresTTA` (mmpretrain's
  score averaging, also over both networks' scores of AdAutoMix/AutoMix);
* ``--out`` for predictions must be a ``.pkl`` (checked before the run);
* a distributed run ends in order (barrier, process group destroyed, see
  :func:`~adautomix_mm.runtime.compat.finish_distributed`).
"""
import argparse
import os.path as osp

import mmengine
from mmengine.config import Config

from adautomix_mm.runtime.cli import mmpretrain_tools
from adautomix_mm.runtime.cli.common import (
    check_dist_timeout, export_local_rank, filter_known_warnings,
    import_custom_modules_from_options)
from adautomix_mm.runtime.compat import (finish_distributed,
                                         prepare_cpu_distributed,
                                         safe_checkpoint_loading,
                                         trust_checkpoints_while_loading)
from adautomix_mm.datasets.checks import check_datasets, explain_data_errors


def parse_args(argv=None) -> argparse.Namespace:
    parser = mmpretrain_tools.tool_parser('test')
    parser.description = 'Evaluate a checkpoint'
    mmpretrain_tools.set_help(
        parser, 'checkpoint', 'checkpoint file (loaded with weights_only=True '
        'and an allow-list of the types MMEngine writes)')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='fully unpickle the checkpoint (runs code from the file: only '
        'your own files) when it holds types beyond the allow-list')
    parser.add_argument(
        '--robustness',
        nargs='?',
        const='default',
        metavar='METRICS_FILE',
        help='also evaluate calibration and robustness (ECE, corruptions, '
        'occlusion, FGSM) for every evaluated network; the metric list is '
        'configs/_base_/evaluation/robustness.py unless a file is given')
    args = parser.parse_args(argv)
    export_local_rank(args)
    if args.out is None and args.out_item is not None:
        parser.error('--out-item needs --out (the file to write)')
    if args.out is not None and args.out_item in (None, 'pred') and \
            not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out must be a .pkl file for predictions, got '
                     f'{args.out!r}')
    return args


def build_test_config(args: argparse.Namespace) -> Config:
    """The config as mmpretrain's ``tools/test.py`` makes it, with this
    package's options applied."""
    cfg = Config.fromfile(args.config)
    if args.tta and 'tta_model' not in cfg:
        cfg.tta_model = dict(type='AverageNetworkScoresTTA')
    # --amp: mmpretrain sets cfg.test_cfg.fp16, which fails without test_cfg.
    cfg = mmpretrain_tools.merge_args('test', cfg, args, amp=False)
    if args.cfg_options is not None:
        import_custom_modules_from_options(cfg, args.cfg_options)
    if args.amp:
        cfg.test_cfg = dict(cfg.get('test_cfg') or {}, fp16=True)
    check_dist_timeout(cfg)
    check_datasets(cfg)
    if args.robustness is not None:
        from adautomix_mm.evaluation.suite import add_robustness_metrics
        add_robustness_metrics(cfg, robustness_file(args.robustness))
    return cfg


def main(argv=None):
    filter_known_warnings()
    args = parse_args(argv)
    metrics = _test(args)
    # After the Runner is gone with _test's frame (see finish_distributed).
    finish_distributed()
    return metrics


def _test(args: argparse.Namespace) -> dict:
    cfg = build_test_config(args)
    with prepare_cpu_distributed(cfg, args.launcher):
        runner = mmpretrain_tools.build_runner(cfg)
    if args.out is not None and args.out_item in (None, 'pred'):
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    if args.trust_checkpoint:
        trust_checkpoints_while_loading(runner)
    with safe_checkpoint_loading(), explain_data_errors(cfg):
        metrics = runner.test()
    if args.out is not None and args.out_item == 'metrics':
        mmengine.dump(metrics, args.out)
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
