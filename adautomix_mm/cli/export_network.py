"""Export one network of an EMA-teacher model checkpoint (e.g. AdAutoMix) as
a plain mmpretrain ``ImageClassifier`` checkpoint.

    python tools/export_network.py work_dirs/x/epoch_800.pth teacher.pth
    python tools/export_network.py CKPT online.pth --network online

The result loads with ``load_from``/``init_cfg`` into an ``ImageClassifier``
with the same ``backbone``/``neck``/``head`` config. The one-hot ``head`` is
exported (the reference's deployable model is the EMA teacher with its
one-hot head). The input loads with ``torch.load(weights_only=True)`` and
the allow-list of the types MMEngine writes
(:data:`adautomix_mm.compat.MMENGINE_SAFE_GLOBALS`); anything else is
refused, nothing in the file is executed.
"""
import argparse

import torch

from adautomix_mm.compat import load_weights_only

PARTS = ('backbone.', 'neck.', 'head.')
PREFIX = {'ema': 'teacher.module.', 'online': ''}


def export_state_dict(state_dict: dict, network: str = 'ema') -> dict:
    """``backbone.*``/``neck.*``/``head.*`` weights of ``network``."""
    if network not in PREFIX:
        raise ValueError(f'network must be one of {sorted(PREFIX)}, got '
                         f'{network!r}')
    prefix = PREFIX[network]
    out = {
        key[len(prefix):]: value
        for key, value in state_dict.items()
        if key.startswith(prefix) and key[len(prefix):].startswith(PARTS)
    }
    if not any(k.startswith('backbone.') for k in out):
        raise KeyError(f'no `{prefix}backbone.*` weights in the checkpoint: '
                       'is it from an EMA-teacher model such as AdAutoMix?')
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='trained checkpoint (loaded '
                        'weights-only)')
    parser.add_argument('out', help='output .pth')
    parser.add_argument('--network', choices=sorted(PREFIX), default='ema')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    ckpt = load_weights_only(args.checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    meta = dict(ckpt.get('meta', {}) or {})
    meta.update(exported_from=args.checkpoint, network=args.network)
    torch.save(dict(state_dict=export_state_dict(state, args.network),
                    meta=meta), args.out)
    print(f'{args.network} network -> {args.out}')


if __name__ == '__main__':
    main()
