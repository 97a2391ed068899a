"""Cost of one AdAutoMix training step relative to a vanilla step.

Same backbone, batch and input, CPU, through the real MMEngine path
(``model.train_step`` with an SGD ``OptimWrapper``). Writes the median
seconds per step and the ratio to ``benchmarks/results/step_cost.json``.
The reference's logs put AdAutoMix at ~3.7x MixUp per iteration (Stanford
Cars RX50, RTX 3060; shared/reference §3.5).

    python benchmarks/step_cost.py [--iters 8] [--batch 64]
"""
import argparse
import json
import os.path as osp
import platform
import statistics
import time

import torch
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401

BACKBONE = dict(type='ResNet_CIFAR', depth=18, in_channels=1,
                stem_channels=16, base_channels=16, out_indices=(2, 3))
HEAD = dict(type='LinearClsHead', num_classes=10, in_channels=128,
            loss=dict(type='CrossEntropyLoss', use_soft=True))


def models():
    vanilla_head = dict(HEAD, loss=dict(type='CrossEntropyLoss'))
    yield 'vanilla', dict(type='ImageClassifier', backbone=BACKBONE,
                          neck=dict(type='GlobalAveragePooling'),
                          head=vanilla_head)
    for n in (2, 3):
        yield f'adautomix_n{n}', dict(
            type='AdAutoMix', backbone=BACKBONE,
            neck=dict(type='GlobalAveragePooling'), head=HEAD, mix_head=HEAD,
            mix_block=dict(type='AttentionMixBlock'), mix_samples=n)


def time_steps(cfg, batch, iters):
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    data = dict(inputs=[torch.randint(0, 255, (1, 28, 28), dtype=torch.uint8)
                        for _ in range(batch)],
                data_samples=[DataSample().set_gt_label(i % 10)
                              for i in range(batch)])
    times = []
    for step in range(iters + 2):
        if hasattr(model, 'set_game_state'):
            model.set_game_state(step % 2 == 0, True)
        start = time.perf_counter()
        model.train_step(data, wrapper)
        if hasattr(model, 'update_teacher'):
            model.update_teacher(0.999)
        if step >= 2:  # warm-up excluded
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--iters', type=int, default=8)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--out', default=osp.join(
        osp.dirname(__file__), 'results', 'step_cost.json'))
    args = parser.parse_args()
    seconds = {name: time_steps(cfg, args.batch, args.iters)
               for name, cfg in models()}
    result = dict(
        what='median seconds per training step, same run; ratio to vanilla',
        model='ResNet-18 CIFAR stem, width 16, 1x28x28 input',
        batch=args.batch, iters=args.iters, threads=torch.get_num_threads(),
        machine=platform.machine(), torch=torch.__version__,
        seconds=seconds,
        ratio_to_vanilla={k: v / seconds['vanilla'] for k, v in seconds.items()})
    import os
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
