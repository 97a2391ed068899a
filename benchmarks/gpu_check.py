"""GPU check: every method's CIFAR-100 ResNet-18 recipe trains a few hundred
steps on synthetic CIFAR-sized data under AMP (fp16 and bf16); step cost
relative to vanilla and peak memory, written to a results file.

One process, one MMEngine ``Runner`` per (method, dtype), built as
``tools/train.py CONFIG --amp`` builds it (``adautomix_mm.runtime.cli.train``), with:

* the training set replaced by ``--images`` random 32x32 RGB images with
  random labels (the recipe's own augmentation pipeline and batch size,
  100; no validation, no checkpoint, no mask drawings);
* an iteration-based loop of at most ``--steps`` steps, stopped early after
  ``--seconds`` of training (at least ``--min-steps``), so that the slow
  CPU-side mixers (PuzzleMix's graph cut, Co-Mixup's solver) do not eat the
  budget; the cosine schedule is replaced by a constant learning rate (the
  cost of a step does not depend on it);
* ``AmpOptimWrapper`` with ``dtype`` fp16 or bf16 on every optimizer of the
  recipe (AdAutoMix/AutoMix: classifier and generator).

Per (dtype, method): steps run, median seconds per step over the steps after
the first ``--warmup`` (MMEngine's ``IterTimerHook`` time, data loading
included; ``data_time`` reported separately), its ratio to vanilla's at the
same dtype, ``torch.cuda.max_memory_allocated`` (MB), and the error if the
method failed (the check goes on with the next one). Results:
``benchmarks/results/gpu_check.json`` and ``.md`` (``--out``).

    python benchmarks/gpu_check.py                      # one GPU, < 8 min
    python benchmarks/gpu_check.py --methods vanilla adautomix --dtypes bf16
    python benchmarks/gpu_check.py --smoke --out /tmp/gpu_check.json  # CPU

Without a GPU (``--smoke`` or no CUDA), AMP is not available in MMEngine
(``AmpOptimWrapper`` needs a GPU): the runs are fp32 with ``OptimWrapper``,
labelled ``fp32 (no GPU)``; ``--smoke`` is a plumbing check (2 steps, batch 4,
64 images), not a measurement.
"""
import argparse
import copy
import glob
import json
import os
import os.path as osp
import platform
import statistics
import sys
import tempfile
import time
import traceback

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

from mmengine.dataset import BaseDataset  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmpretrain.registry import DATASETS, HOOKS  # noqa: E402

RECIPE_GLOB = 'configs/**/*_resnet18_1xb100-800e_cifar100.py'
DEFAULT_OUT = osp.join(REPO, 'benchmarks', 'results', 'gpu_check.json')
DTYPES = {'fp16': 'float16', 'bf16': 'bfloat16'}


def recipes():
    """method name -> recipe path (relative to the repository), vanilla
    first, then alphabetical."""
    found = {}
    for path in sorted(glob.glob(osp.join(REPO, RECIPE_GLOB),
                                 recursive=True)):
        name = osp.basename(path).split('_resnet18_')[0]
        found[name] = osp.relpath(path, REPO)
    if 'vanilla' not in found:
        raise FileNotFoundError(f'no vanilla recipe matches {RECIPE_GLOB}')
    return dict(vanilla=found.pop('vanilla'), **found)


@DATASETS.register_module()
class GPUCheckSyntheticCIFAR(BaseDataset):
    """``num`` random 32x32x3 uint8 images with random labels in
    ``[0, num_classes)`` (seeded), as mmpretrain's CIFAR datasets give them
    to the pipeline."""

    def __init__(self, num: int = 1000, num_classes: int = 100,
                 seed: int = 0, **kwargs):
        self.num, self.num_classes, self.seed = num, num_classes, seed
        super().__init__(ann_file='', **kwargs)

    def load_data_list(self):
        rng = np.random.default_rng(self.seed)
        imgs = rng.integers(0, 256, (self.num, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, self.num_classes, self.num)
        return [dict(img=img, gt_label=np.array(label, dtype=np.int64))
                for img, label in zip(imgs, labels)]


@HOOKS.register_module()
class StopAfterSecondsHook(Hook):
    """Stop an iteration-based loop once ``seconds`` of training have passed
    after the first step (and at least ``min_steps`` steps ran)."""

    def __init__(self, seconds: float, min_steps: int):
        self.seconds, self.min_steps = seconds, min_steps
        self._t0 = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self._t0 is None:
            self._t0 = time.perf_counter()
        elif runner.iter + 1 >= self.min_steps and \
                time.perf_counter() - self._t0 > self.seconds:
            runner.train_loop.stop_training = True


def load_recipe(recipe: str, amp: bool):
    """The recipe as ``tools/train.py RECIPE --no-validate [--amp]`` makes
    it (loaded once per method: MMPretrain bases are slow to read)."""
    from adautomix_mm.runtime.cli.train import build_train_config, parse_args
    argv = [osp.join(REPO, recipe), '--no-validate'] + (['--amp'] if amp
                                                       else [])
    return build_train_config(parse_args(argv))


def build_config(base, dtype: str, args, work_dir: str):
    cfg = copy.deepcopy(base)
    cfg.work_dir = work_dir
    if dtype != 'fp32':
        optim = cfg.optim_wrapper
        subs = [v for v in optim.values()
                if isinstance(v, dict) and v.get('type') == 'AmpOptimWrapper']
        for wrapper in subs or [optim]:
            wrapper['dtype'] = DTYPES[dtype]
    loader = cfg.train_dataloader
    classes = cfg.model.get('data_preprocessor', None) or \
        cfg.get('data_preprocessor', {})
    loader.dataset = dict(type='GPUCheckSyntheticCIFAR', num=args.images,
                          num_classes=classes.get('num_classes', 100),
                          pipeline=loader.dataset.pipeline)
    loader.num_workers = args.workers
    loader.persistent_workers = args.workers > 0
    if args.batch:
        loader.batch_size = args.batch
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=args.steps)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=10 ** 9, save_last=False)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    cfg.custom_hooks = [
        h for h in (cfg.get('custom_hooks') or [])
        if h.get('type') != 'MixedSampleVisualizationHook'] + [
        dict(type='StopAfterSecondsHook', seconds=args.seconds,
             min_steps=args.min_steps)]
    cfg.randomness = dict(seed=0)
    cfg.log_level = 'WARNING'
    cfg.experiment_name = f'gpu_check_{osp.basename(work_dir)}'
    return cfg


def run_one(base, name: str, dtype: str, args, work_root: str) -> dict:
    from adautomix_mm.runtime.cli.mmpretrain_tools import build_runner
    cfg = build_config(base, dtype, args, osp.join(work_root,
                                                   f'{name}_{dtype}'))
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    runner = build_runner(cfg)
    t0 = time.perf_counter()
    runner.train()
    wall = time.perf_counter() - t0
    times = list(runner.message_hub.get_scalar('train/time').data[0])
    data = list(runner.message_hub.get_scalar('train/data_time').data[0])
    skip = min(args.warmup, max(0, len(times) - 1))
    row = dict(steps=runner.iter,
               s_per_step=round(float(statistics.median(times[skip:])), 5),
               data_s_per_step=round(float(statistics.median(data[skip:])),
                                     5),
               wall_s=round(wall, 1),
               batch=cfg.train_dataloader.batch_size)
    if cuda:
        row['peak_memory_mb'] = round(torch.cuda.max_memory_allocated() / 2**20)
    del runner
    return row


def environment() -> dict:
    import mmengine
    import mmpretrain
    import adautomix_mm
    env = dict(python=platform.python_version(), torch=torch.__version__,
               cuda=torch.version.cuda, mmengine=mmengine.__version__,
               mmpretrain=mmpretrain.__version__,
               adautomix_mm=adautomix_mm.__version__,
               machine=f'{platform.machine()} {platform.system()}, '
               f'{os.cpu_count()} CPU cores')
    if torch.cuda.is_available():
        env['gpu'] = torch.cuda.get_device_name(0)
    return env


def to_markdown(result: dict) -> str:
    lines = [f"# GPU check ({result['env'].get('gpu', 'no GPU')})", '',
             f"Command: `{result['command']}`", '',
             'Environment: ' + ', '.join(f'{k} {v}' for k, v in
                                        result['env'].items()), '',
             '| dtype | method | steps | s/step | ratio to vanilla | '
             'data s/step | peak memory (MB) | error |',
             '|---|---|---|---|---|---|---|---|']
    for dtype, rows in result['runs'].items():
        for method, r in rows.items():
            lines.append(
                f"| {dtype} | {method} | {r.get('steps', '–')} | "
                f"{r.get('s_per_step', float('nan')):.4f} | "
                f"{r.get('ratio_to_vanilla', float('nan')):.2f} | "
                f"{r.get('data_s_per_step', float('nan')):.4f} | "
                f"{r.get('peak_memory_mb', '–')} | "
                f"{r.get('error', '')} |")
    return '\n'.join(lines) + '\n'


def parse_args(argv=None):
    names = list(recipes())
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--methods', nargs='+', default=names, choices=names)
    ap.add_argument('--dtypes', nargs='+', default=['fp16', 'bf16'],
                    choices=sorted(DTYPES))
    ap.add_argument('--steps', type=int, default=300,
                    help='most steps per (method, dtype)')
    ap.add_argument('--seconds', type=float, default=8.0,
                    help='stop a run after this many seconds of steps')
    ap.add_argument('--min-steps', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=10,
                    help='first steps left out of the median')
    ap.add_argument('--batch', type=int, default=None,
                    help="default: the recipe's (100)")
    ap.add_argument('--images', type=int, default=2000)
    ap.add_argument('--workers', type=int, default=4)
    ap.add_argument('--out', default=DEFAULT_OUT)
    ap.add_argument('--smoke', action='store_true',
                    help='CPU plumbing check: 2 steps of batch 4, fp32')
    args = ap.parse_args(argv)
    if args.smoke:
        args.steps, args.min_steps, args.warmup = 2, 1, 0
        args.batch, args.images, args.workers = 4, 64, 0
    if 'vanilla' not in args.methods:
        args.methods = ['vanilla'] + args.methods  # the ratios' reference
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    paths = recipes()
    gpu = torch.cuda.is_available() and not args.smoke
    dtypes = args.dtypes if gpu else ['fp32 (no GPU)']
    result = dict(command='python benchmarks/gpu_check.py ' + ' '.join(
        sys.argv[1:] if argv is None else argv), env=environment(),
        runs={})
    t_start = time.time()
    with tempfile.TemporaryDirectory(prefix='gpu_check_') as work_root:
        for method in args.methods:
            try:
                base = load_recipe(paths[method], amp=gpu)
            except Exception as e:  # report and go on with the others
                base, error = None, f'{type(e).__name__}: {e}'[:300]
            for dtype in dtypes:
                rows = result['runs'].setdefault(dtype, {})
                try:
                    if base is None:
                        raise RuntimeError(error)
                    rows[method] = run_one(base, method,
                                           dtype if gpu else 'fp32', args,
                                           work_root)
                except Exception as e:  # report and go on with the others
                    rows[method] = dict(error=f'{type(e).__name__}: {e}'[:300])
                    traceback.print_exc()
                ref = rows.get('vanilla', {}).get('s_per_step')
                if ref and 's_per_step' in rows[method]:
                    rows[method]['ratio_to_vanilla'] = round(
                        rows[method]['s_per_step'] / ref, 3)
                print(f'{dtype} {method}: {rows[method]}', flush=True)
    result['total_s'] = round(time.time() - t_start, 1)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=1)
    with open(osp.splitext(args.out)[0] + '.md', 'w') as f:
        f.write(to_markdown(result))
    print(to_markdown(result))
    return result


if __name__ == '__main__':
    main()
