"""Generator-loss gradient vs weight-decay term of the Mix Block at init.

For the demo recipe (``configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py``,
reference init std 0.01, SGD weight decay 1e-4), one batch of 64 embedded
Fashion-MNIST images: the norm of the gradient of ``loss_gen`` w.r.t. each
Mix Block weight next to the norm of the decay term ``wd * w`` that SGD adds
to it, in the adversarial and the cooperative phase. A ratio below 1 means
the decay, not the generator loss, drives that weight at the start.
``generator_weight`` multiplies the ratio; the Mix Block's ``lr_mult`` does
not (it scales both terms). Issue 11, docs/adautomix_generator_investigation.md.

    PYTHONPATH=$PWD python benchmarks/mix_block_grad_vs_decay.py [--seed 0]
"""
import argparse
import json
import os.path as osp
import sys

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
CONFIG = osp.join(REPO, 'configs', 'adautomix',
                  'adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default=None, help='also write JSON here')
    args = p.parse_args(argv)
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    from mmpretrain.registry import MODELS
    import adautomix_mm  # noqa: F401  (registers the modules)

    torch.manual_seed(args.seed)
    cfg = Config.fromfile(CONFIG)
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    wd = cfg.optim_wrapper.optimizer.weight_decay
    cfg.train_dataloader.update(batch_size=64, num_workers=0,
                                persistent_workers=False)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=args.seed)
    data = model.data_preprocessor(next(iter(loader)), True)
    rows = []
    for adversarial in (True, False):
        torch.manual_seed(args.seed)
        model.set_game_state(adversarial=adversarial, generator_enabled=True)
        model.zero_grad()
        model.loss(data['inputs'], data['data_samples'])['loss_gen'].backward()
        for name, param in model.mix_block.named_parameters():
            if param.grad is None or param.dim() < 2:
                continue
            grad, decay = param.grad.norm().item(), wd * param.norm().item()
            rows.append(dict(phase='adversarial' if adversarial
                             else 'cooperative', weight=name,
                             grad_norm=grad, decay_norm=decay,
                             ratio=grad / decay))
            print(f'{rows[-1]["phase"]:12s} {name:20s} |grad loss_gen| '
                  f'{grad:.3e}  |wd*w| {decay:.3e}  ratio {grad / decay:.3g}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(config=osp.relpath(CONFIG, REPO), seed=args.seed,
                           weight_decay=wd, batch=64, rows=rows), f, indent=1)


if __name__ == '__main__':
    main()
