"""Cost of one AdAutoMix / AutoMix training step relative to a vanilla step.

Same backbone, batch and input, CPU, through the real MMEngine path
(``model.train_step`` with an SGD ``OptimWrapper``). Writes the median
seconds per step and the ratio to ``benchmarks/results/step_cost.json``:
wall time (``seconds``, ``ratio_to_vanilla``) and the process's CPU time
(``cpu_seconds``, ``cpu_ratio_to_vanilla``; with ``--threads 1`` the step's
work without the waits for a core of a shared machine).
The reference's logs put AdAutoMix at ~3.7x MixUp per iteration (Stanford
Cars RX50, RTX 3060; shared/reference §3.5). ``*_reference_passes`` adds
the reference's N extra clean teacher passes that AdAutoMix replaces by one
pass, to measure what that design saves. AutoMix (Pixel Mix Block, 2
teacher and 2 online passes, as the reference) targets <= 2.9x; the
reference's AutoMix passes cost ~3.0x.

    python benchmarks/step_cost.py [--iters 20] [--batch 64] [--threads 1]
        [--models vanilla,automix,adautomix_n2 --out results/step_cost_automix.json]
    python benchmarks/step_cost.py --models puzzlemix,rmix \
        --out benchmarks/results/step_cost_saliency.json
    python benchmarks/step_cost.py --models manifoldmix,batch_mixup \
        --out benchmarks/results/step_cost_manifoldmix.json
"""
import argparse
import json
import os.path as osp
import platform
import statistics
import sys
import time

import torch
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import adautomix_mm  # noqa: E402,F401  (this checkout's package)

BACKBONE = dict(type='ResNet_CIFAR', depth=18, in_channels=1,
                stem_channels=16, base_channels=16, out_indices=(2, 3))
HEAD = dict(type='LinearClsHead', num_classes=10, in_channels=128,
            loss=dict(type='CrossEntropyLoss', use_soft=True))


# Batch mixers (MMPretrain's and the plugin's BATCH_AUGMENTS) on a plain
# ImageClassifier through ``train_cfg=dict(augments=...)``.
BATCH_MIXERS = ('Mixup', 'CutMix', 'ResizeMix', 'FMix', 'SaliencyMix',
                'GridMix')


def models():
    """``(name, config, reference_passes)``."""
    vanilla_head = dict(HEAD, loss=dict(type='CrossEntropyLoss'))
    yield 'vanilla', dict(type='ImageClassifier', backbone=BACKBONE,
                          neck=dict(type='GlobalAveragePooling'),
                          head=vanilla_head), False
    for mixer in BATCH_MIXERS:
        yield f'batch_{mixer.lower()}', dict(
            type='ImageClassifier', backbone=BACKBONE,
            neck=dict(type='GlobalAveragePooling'), head=HEAD,
            data_preprocessor=dict(num_classes=10),
            train_cfg=dict(augments=dict(type=mixer, alpha=1.0))), False
    # ManifoldMix: hidden states mixed at a random stage, no extra pass.
    yield 'manifoldmix', dict(
        type='ManifoldMixClassifier', backbone=BACKBONE, alpha=2.0,
        neck=dict(type='GlobalAveragePooling'), head=HEAD), False
    for n in (2, 3):
        cfg = dict(
            type='AdAutoMix', backbone=BACKBONE,
            neck=dict(type='GlobalAveragePooling'), head=HEAD, mix_head=HEAD,
            mix_block=dict(type='AttentionMixBlock'), mix_samples=n)
        yield f'adautomix_n{n}', cfg, False
        yield f'adautomix_n{n}_reference_passes', dict(
            cfg, replay_clean_bn=False), True
    # Saliency-guided mixers (one clean forward + input backward per step),
    # with the embedded Fashion-MNIST configs' 28x28 settings.
    for name, mixer in (
            ('puzzlemix', dict(type='PuzzleMix', block_nums=(2, 7, 14),
                               neigh_size=2, t_size=-1)),
            ('rmix', dict(type='RMix', patch_sizes=(7, 14))),
            ('comixup', dict(type='CoMixup'))):
        yield name, dict(type='SaliencyMixClassifier', backbone=BACKBONE,
                         neck=dict(type='GlobalAveragePooling'), head=HEAD,
                         mixer=mixer), False
    yield 'automix', dict(
        type='AutoMix', backbone=BACKBONE,
        neck=dict(type='GlobalAveragePooling'), head=HEAD, mix_head=HEAD,
        mix_block=dict(type='PixelMixBlock', scale_factor='by_image_size')
    ), False


def add_reference_passes(model) -> None:
    """Make ``model.loss`` also run the reference's N clean teacher passes
    (on permuted batches, for its cosine term) that AdAutoMix replaces by
    one pass, to measure what that saves."""
    loss = model.loss

    def loss_with_reference_passes(inputs, data_samples):
        losses = loss(inputs, data_samples)
        teacher = model.network('ema')
        with torch.no_grad():
            for _ in range(int(losses['mix_samples'])):
                x = inputs[torch.randperm(inputs.size(0))]
                teacher.mix_head(
                    model.neck_feats(teacher, teacher.backbone(x)))
        return losses

    model.loss = loss_with_reference_passes


def build(cfg, reference_passes):
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    if reference_passes:
        add_reference_passes(model)
    model.train()
    return model, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))


def one_step(model, wrapper, data, step):
    """``(wall seconds, CPU seconds of the process)`` of one step."""
    if hasattr(model, 'set_game_state'):
        model.set_game_state(step % 2 == 0, True)
    if hasattr(model, 'set_schedule_state'):
        model.set_schedule_state(True, 0.0)
    start, cpu = time.perf_counter(), time.process_time()
    model.train_step(data, wrapper)
    if hasattr(model, 'update_teacher'):
        model.update_teacher(0.999)
    return time.perf_counter() - start, time.process_time() - cpu


def time_steps(batch, iters, names=None):
    """Median wall and CPU seconds per step per model. The models take
    their steps in turn (round robin, the order rotated every step), so a
    slow phase of the machine hits all of them. The CPU time is the
    process's (all its threads): with one torch thread (``--threads 1``)
    it is the step's work without the time spent waiting for a core, the
    robust measure on a shared machine (wall time there mostly measures the
    other jobs)."""
    runs = {name: build(cfg, passes) for name, cfg, passes in models()
            if names is None or name in names}
    data = dict(inputs=[torch.randint(0, 255, (1, 28, 28), dtype=torch.uint8)
                        for _ in range(batch)],
                data_samples=[DataSample().set_gt_label(i % 10)
                              for i in range(batch)])
    wall = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    order = list(runs)
    for step in range(iters + 2):
        turn = order[step % len(order):] + order[:step % len(order)]
        for name in turn:
            model, wrapper = runs[name]
            seconds, cpu_seconds = one_step(model, wrapper, data, step)
            if step >= 2:  # warm-up excluded
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    return ({name: statistics.median(t) for name, t in wall.items()},
            {name: statistics.median(t) for name, t in cpu.items()})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads (default: torch\'s)')
    parser.add_argument('--models', default=None,
                        help='comma-separated subset (vanilla always runs)')
    parser.add_argument('--out', default=osp.join(
        osp.dirname(__file__), 'results', 'step_cost.json'))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = None
    if args.models:
        names = {'vanilla'} | set(args.models.split(','))
        unknown = names - {name for name, _, _ in models()}
        if unknown:
            parser.error(f'unknown --models {sorted(unknown)}')
    seconds, cpu_seconds = time_steps(args.batch, args.iters, names)
    result = dict(
        what='median seconds per training step, same run; ratio to vanilla',
        model='ResNet-18 CIFAR stem, width 16, 1x28x28 input',
        batch=args.batch, iters=args.iters, threads=torch.get_num_threads(),
        machine=platform.machine(), torch=torch.__version__,
        command='python ' + ' '.join(sys.argv),
        seconds=seconds,
        ratio_to_vanilla={k: v / seconds['vanilla'] for k, v in seconds.items()},
        cpu_seconds=cpu_seconds,
        cpu_ratio_to_vanilla={k: v / cpu_seconds['vanilla']
                              for k, v in cpu_seconds.items()},
        saved_by_one_clean_teacher_pass={
            f'n{n}': 1.0 - seconds[f'adautomix_n{n}'] /
            seconds[f'adautomix_n{n}_reference_passes'] for n in (2, 3)
            if f'adautomix_n{n}_reference_passes' in seconds})
    import os
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
