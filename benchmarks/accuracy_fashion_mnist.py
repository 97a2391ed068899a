"""Seeded accuracy comparison of the mixing methods on real Fashion-MNIST.

Every method trains with the same backbone (ResNet-18 CIFAR stem, width 16),
data (the first ``--train-size`` images of the official train split; the
first ``--val-size`` images of the official test split for validation),
batch, SGD schedule and number of epochs, for each seed in ``--seeds``.
Fairness:

* two-network methods (AdAutoMix, AutoMix) report both the EMA teacher and
  the online network;
* every single-network baseline runs a second time with MMEngine's
  ``EMAHook`` (weights averaged over a window like the teacher's, the
  averaged weights validated), so that "EMA teacher vs single network" is
  not mistaken for a method gain (``--no-ema-baselines`` skips them).

Then ``tools/compare.py``'s table (mean ± std over seeds), CSV and curves are
written beside ``--out`` (default ``benchmarks/results/accuracy_fashion_mnist.md``)
with the command, machine and versions.

Default budget: the one actually run for
``benchmarks/results/accuracy_fashion_mnist_6k6e/``: 6,000 train images,
6 epochs of batch 64 (564 steps), validation on the first 5,000 test
images, seeds 0 1 2. On the shared 2-core CPU (one torch thread per run,
two runs side by side) a vanilla run took ~150-280 s and an AdAutoMix run
~500-1,000 s, depending on the load. On a GPU scale it up, e.g.
``--train-size 60000 --val-size 10000 --epochs 30 --batch-size 128
--num-workers 4``. ``--threads 1`` suffers less from oversubscription on a
shared CPU than the default (all cores).

    python benchmarks/accuracy_fashion_mnist.py                 # the benchmark
    python benchmarks/accuracy_fashion_mnist.py --smoke         # end-to-end check
    python benchmarks/accuracy_fashion_mnist.py --methods vanilla adautomix

A new method is one line in ``METHODS`` (its full-Fashion-MNIST config; for
a teacher method the custom hook that schedules its EMA momentum).
"""
import argparse
import os
import os.path as osp
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, List, Optional

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

DEFAULT_OUT = osp.join(REPO, 'benchmarks', 'results',
                       'accuracy_fashion_mnist.md')
FULL_TEST_SIZE = 10000


@dataclass
class Budget:
    train_size: int
    epochs: int
    batch_size: int
    val_size: Optional[int]
    num_workers: int

    @property
    def iters(self) -> int:
        return self.epochs * -(-self.train_size // self.batch_size)


def teacher_window(hook_index: int = 0) -> Callable[[Budget], List[str]]:
    """Options scaling a teacher method's EMA momentum schedule to the run
    length, as the full-set config scales the demo's: the full
    configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist.py averages over ~100 -> ~1,000
    of its 4,690 iterations (momentum 0.99 -> 0.999), i.e. windows of
    iters/47 -> iters/4.7."""

    def options(b: Budget) -> List[str]:
        start, end = teacher_momenta(b)
        return [f'model.teacher_momentum={start}',
                f'custom_hooks.{hook_index}.momentum={start}',
                f'custom_hooks.{hook_index}.end_momentum={end}']

    return options


def teacher_momenta(b: Budget):
    # (floor 0.5: only reached by runs under ~100 steps, e.g. --smoke)
    start = max(0.5, 1 - 47 / b.iters)
    end = max(start, 1 - 4.7 / b.iters)
    return round(start, 6), round(end, 6)


def ema_hook_config(config: str, b: Budget, out_dir: str) -> str:
    """A config file ``<name>_emahook.py`` in ``out_dir``: ``config`` plus
    MMEngine's EMAHook with the teacher's end-of-training window (MMEngine's
    momentum is the weight of the new parameters: 1 - m). A file, because
    ``--cfg-options`` cannot add a list of dicts."""
    _, end = teacher_momenta(b)
    name = osp.splitext(osp.basename(config))[0] + '_emahook.py'
    path = osp.join(out_dir, name)
    os.makedirs(out_dir, exist_ok=True)
    with open(path, 'w') as f:
        f.write(f"""# {osp.basename(config)} with MMEngine's EMAHook (written by
# benchmarks/accuracy_fashion_mnist.py); validation uses the averaged weights.
_base_ = [{osp.join(REPO, config)!r}]
custom_hooks = [dict(type='EMAHook', momentum={1 - end:.6g})]
""")
    return path


@dataclass
class Method:
    name: str
    config: str
    teacher: Optional[Callable[[Budget], List[str]]] = None  # two networks

    @property
    def two_networks(self) -> bool:
        return self.teacher is not None


# One line per method (its config on the full Fashion-MNIST). Single-network
# baselines are also run with EMAHook; teacher methods report both networks.
METHODS = [
    Method('vanilla', 'configs/baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('mixup', 'configs/baselines/mixup/mixup_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('cutmix', 'configs/baselines/cutmix/cutmix_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('adautomix', 'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist.py',
           teacher=teacher_window(0)),
    Method('automix', 'configs/automix/automix_resnet18-w16_1xb64-5e_fmnist.py',
           teacher=teacher_window(0)),
    # Later methods, cheapest first (the order a full run trains them in):
    # batch mixers at ~1x vanilla's step, R-Mix / PuzzleMix ~1.8x (one clean
    # saliency pass), Co-Mixup ~3.3x (benchmarks/results/step_cost_*.json).
    Method('fmix', 'configs/baselines/fmix/fmix_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('gridmix', 'configs/baselines/gridmix/gridmix_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('resizemix',
           'configs/baselines/resizemix/resizemix_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('saliencymix',
           'configs/baselines/saliencymix/saliencymix_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('rmix', 'configs/baselines/rmix/rmix_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('puzzlemix',
           'configs/baselines/puzzlemix/puzzlemix_resnet18-w16_1xb64-5e_fmnist.py'),
    Method('comixup', 'configs/baselines/comixup/comixup_resnet18-w16_1xb64-5e_fmnist.py'),
]


def budget_options(b: Budget, data_root: str) -> List[str]:
    opts = [
        f'train_cfg.max_epochs={b.epochs}',
        f'param_scheduler.end={b.epochs}',
        f'train_dataloader.batch_size={b.batch_size}',
        f'train_dataloader.num_workers={b.num_workers}',
        f'val_dataloader.num_workers={b.num_workers}',
        f'train_dataloader.persistent_workers={b.num_workers > 0}',
        f'val_dataloader.persistent_workers={b.num_workers > 0}',
        f'train_dataloader.dataset.data_prefix={data_root}',
        f'val_dataloader.dataset.data_prefix={data_root}',
        f'test_dataloader.dataset.data_prefix={data_root}',
        'default_hooks.checkpoint.max_keep_ckpts=1',
    ]
    if b.train_size < 60000:
        opts.append(f'train_dataloader.dataset.indices={b.train_size}')
    if b.val_size and b.val_size < FULL_TEST_SIZE:
        opts += [f'val_dataloader.dataset.indices={b.val_size}',
                 f'test_dataloader.dataset.indices={b.val_size}']
    log_every = max(1, min(50, b.iters // b.epochs // 4))
    opts.append(f'default_hooks.logger.interval={log_every}')
    return opts


def plan(methods: List[Method], seeds: List[int], b: Budget, data_root: str,
         ema_baselines: bool, config_dir: str):
    """(work dir name, config path, options) of every run."""
    runs = []
    for m in methods:
        config = osp.join(REPO, m.config)
        variants = [(m.name, config, m.teacher(b) if m.teacher else [])]
        if not m.two_networks and ema_baselines:
            variants.append((f'{m.name}_emahook',
                             ema_hook_config(m.config, b, config_dir), []))
        for name, cfg, extra in variants:
            for seed in seeds:
                opts = budget_options(b, data_root) + extra + \
                    [f'randomness.seed={seed}']
                runs.append((f'{name}/seed{seed}', cfg, opts))
    return runs


def _run(cmd, env, log_path) -> None:
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f'failed ({proc.returncode}): {shlex.join(cmd)}\n'
                         f'see {log_path}')


def _tested(work_dir: str) -> bool:
    from adautomix_mm.runtime.cli.compare import last_test_metrics
    return any(k.startswith('corruption')
               for k in last_test_metrics(work_dir))


def finished(work_dir: str, epochs: int) -> bool:
    last = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(last):
        return False
    with open(last) as f:
        return f.read().strip().endswith(f'epoch_{epochs}.pth')


def versions() -> str:
    import mmcv
    import mmengine
    import mmpretrain
    import torch
    import adautomix_mm
    return (f'Python {platform.python_version()}, torch {torch.__version__}, '
            f'mmengine {mmengine.__version__}, mmpretrain '
            f'{mmpretrain.__version__}, mmcv {mmcv.__version__}, adautomix_mm '
            f'{adautomix_mm.__version__}')


def machine() -> str:
    import torch
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next((line.split(':', 1)[1].strip() for line in f
                        if line.startswith('model name')), cpu)
    except OSError:
        pass
    desc = f'{platform.machine()} {platform.system()}, {os.cpu_count()} CPU ' \
        f'cores ({cpu or "unknown CPU"})'
    if torch.cuda.is_available():
        desc += f', GPU {torch.cuda.get_device_name(0)}'
    return desc


def git_commit() -> str:
    try:
        return subprocess.run(['git', '-C', REPO, 'rev-parse', '--short',
                               'HEAD'], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--methods', nargs='+', default=[m.name for m in METHODS],
                   choices=[m.name for m in METHODS])
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--train-size', type=int, default=6000)
    p.add_argument('--val-size', type=int, default=5000,
                   help='validate on the first N test images (default 5000; '
                   '0 or 10000: all 10,000)')
    p.add_argument('--epochs', type=int, default=6)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--num-workers', type=int, default=0)
    p.add_argument('--last-k', type=int, default=3,
                   help='epochs in the "median of the last k" column')
    p.add_argument('--no-ema-baselines', action='store_true',
                   help='skip the EMAHook runs of the single-network methods')
    p.add_argument('--threads', type=int, default=None,
                   help='OMP_NUM_THREADS per run (default: all cores)')
    p.add_argument('--data-root', default=osp.join(REPO, 'data',
                                                   'fashion_mnist'),
                   help='uncompressed Fashion-MNIST (filled by '
                   'tools/prepare_fashion_mnist.py if missing)')
    p.add_argument('--data-src', default=None,
                   help='source of the .gz files for the preparation')
    p.add_argument('--work-root', default=osp.join(REPO, 'work_dirs',
                                                   'accuracy_fashion_mnist'))
    p.add_argument('--out', default=None,
                   help=f'results Markdown (default {DEFAULT_OUT}; with '
                   '--smoke: <work-root>/smoke.md)')
    p.add_argument('--smoke', action='store_true',
                   help='end-to-end check in about a minute per method: 64 '
                   'train / 64 test images, 1 epoch, batch 16, seeds 0 1')
    p.add_argument('--robustness', action='store_true',
                   help='after training, evaluate each final checkpoint with '
                   'tools/test.py --robustness (ECE, corruptions, occlusion, '
                   'FGSM) into its work dir; compare.py then shows them. '
                   'Off by default: about 70 network passes per test image')
    p.add_argument('--robustness-size', type=int, default=2000,
                   help='test images for --robustness (default 2000)')
    p.add_argument('--dry-run', action='store_true',
                   help='print the training commands and exit')
    args = p.parse_args(argv)
    if args.smoke:
        args.train_size, args.val_size, args.epochs = 64, 64, 2
        args.batch_size, args.last_k = 16, 1
        if args.seeds == [0, 1, 2]:
            args.seeds = [0, 1]
        args.work_root = args.work_root + '_smoke'
        if args.out is None:
            args.out = osp.join(args.work_root, 'smoke.md')
    args.out = args.out or DEFAULT_OUT
    return args


def main(argv=None):
    args = parse_args(argv)
    b = Budget(args.train_size, args.epochs, args.batch_size, args.val_size,
               args.num_workers)
    methods = [m for m in METHODS if m.name in args.methods]
    runs = plan(methods, args.seeds, b, args.data_root,
                not args.no_ema_baselines,
                osp.join(args.work_root, 'configs'))
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep +
               os.environ.get('PYTHONPATH', ''))
    if args.threads:
        env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(args.threads)
    cmds, tests = [], []
    for name, config, opts in runs:
        work_dir = osp.join(args.work_root, name)
        cmds.append((work_dir, [sys.executable, osp.join(REPO, 'tools',
                                                         'train.py'),
                                config, '--work-dir',
                                work_dir, '--cfg-options'] + opts))
        size = min(args.robustness_size, b.val_size or FULL_TEST_SIZE)
        tests.append([
            sys.executable, osp.join(REPO, 'tools', 'test.py'), config,
            osp.join(work_dir, f'epoch_{b.epochs}.pth'), '--robustness',
            '--work-dir', work_dir, '--cfg-options'] + opts +
            [f'test_dataloader.dataset.indices={size}'])
    if args.dry_run:
        for (_, cmd), test in zip(cmds, tests):
            print(shlex.join(cmd))
            if args.robustness:
                print(shlex.join(test))
        return
    if not osp.isfile(osp.join(args.data_root, 'train-images-idx3-ubyte')):
        from adautomix_mm.datasets.prepare import prepare_fashion_mnist
        src = args.data_src
        if src is None and osp.isdir('/work/shared/datasets/fashion-mnist'):
            src = '/work/shared/datasets/fashion-mnist'
        prepare_fashion_mnist(args.data_root, src)
    start = time.time()
    kept = 0
    for i, ((work_dir, cmd), test) in enumerate(zip(cmds, tests), 1):
        if finished(work_dir, b.epochs):
            print(f'[{i}/{len(cmds)}] {work_dir}: done before, kept')
            kept += 1
        else:
            print(f'[{i}/{len(cmds)}] {work_dir} ...', flush=True)
            os.makedirs(work_dir, exist_ok=True)
            t0 = time.time()
            _run(cmd, env, osp.join(work_dir, 'train_stdout.txt'))
            print(f'    {time.time() - t0:.0f} s', flush=True)
        if args.robustness and not _tested(work_dir):
            t0 = time.time()
            _run(test, env, osp.join(work_dir, 'test_stdout.txt'))
            print(f'    robustness test {time.time() - t0:.0f} s', flush=True)
    total = time.time() - start
    write_results(args, b, [w for w, _ in cmds], total, kept)


def write_results(args, b: Budget, work_dirs, total_s, kept) -> None:
    from adautomix_mm.runtime.cli.compare import (load_run, plot_curves,
                                                  summarize, to_csv,
                                                  to_markdown)
    runs = [load_run(w) for w in work_dirs]
    rows = summarize(runs, args.last_k)
    base = osp.splitext(args.out)[0]
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    to_csv(rows, base + '.csv')
    plot_curves(runs, base + '.png')
    command = 'python benchmarks/accuracy_fashion_mnist.py ' + \
        shlex.join(sys.argv[1:])
    start, end = teacher_momenta(b)
    val = f'first {b.val_size}' if b.val_size else 'all 10,000'
    robust = ''
    if args.robustness:
        size = min(args.robustness_size, b.val_size or FULL_TEST_SIZE)
        robust = (f'* Robustness (`tools/test.py --robustness`, final '
                  f'checkpoint, first {size} test images): test top-1, ECE '
                  '(15 bins), mean accuracy over 9 CIFAR-10-C corruptions x '
                  '5 severities, mean occlusion accuracy over 0-100% of the '
                  'area, FGSM accuracy at eps in 0-255 pixel units.\n')
    text = f"""# Accuracy on Fashion-MNIST: {', '.join(args.methods)}

{'**Smoke setting (end-to-end check, not a result).** ' if args.smoke else ''}Command: `{command.strip()}`
(git {git_commit()}), {len(work_dirs)} runs; this invocation trained
{len(work_dirs) - kept} of them in {total_s / 60:.1f} min (sequentially, one at a time).

* Machine: {machine()}
* Versions: {versions()}
* Data: first {b.train_size} images of the official Fashion-MNIST train
  split; validation on {val} test images after every epoch.
* Budget (every method): ResNet-18 CIFAR stem width 16, {b.epochs} epochs of
  batch {b.batch_size} ({b.iters} steps), SGD lr 0.1 momentum 0.9 wd 1e-4,
  cosine to 0; seeds {' '.join(map(str, args.seeds))}.
* Networks: AdAutoMix's EMA teacher (momentum {start} -> {end}) and online
  network; each single-network baseline alone and with MMEngine's EMAHook
  (momentum {1 - end:.6g}, the teacher's final window), whose averaged
  weights are what is validated in those runs.
{robust}* Columns: top-1 (%) after the last epoch, median of the last {args.last_k}
  epochs, best epoch (optimistic: chosen on the test split); seconds per
  step (median of the logged values); wall time from the first to the last
  log line. Mean ± sample std over seeds.

{to_markdown(rows, args.last_k)}
Curves: `{osp.basename(base)}.png`; all numbers: `{osp.basename(base)}.csv`.
"""
    with open(args.out, 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()
