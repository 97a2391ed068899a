"""Export one network of a trained checkpoint as a plain mmpretrain
``ImageClassifier``: a checkpoint plus a ready inference config beside it.

    python tools/export_network.py work_dirs/x/epoch_800.pth teacher.pth
    python tools/export_network.py CKPT online.pth --network online

writes ``teacher.pth`` and ``teacher.py``; then, with mmpretrain alone::

    from mmpretrain import ImageClassificationInferencer
    ImageClassificationInferencer('teacher.py', pretrained='teacher.pth')

Which weights (``--network``):

* two-network models (AdAutoMix, AutoMix, SAMix): ``ema`` (default) is the EMA
  teacher, the reference's deployable model; ``online`` the online network.
  The one-hot ``head`` is exported (``mix_head`` is dropped).
* single-network classifiers (the baselines): the network itself; with
  MMEngine's ``EMAHook`` in training, ``ema`` is the EMA model (MMEngine
  saves it in ``state_dict``) and ``online`` the source model
  (``ema_state_dict``'s ``module.*``).

The config is the training config's (``--config``, else the one MMEngine
stores in the checkpoint's ``meta['cfg']``) ``backbone``/``neck``/``head``
under ``type='ImageClassifier'``, its data preprocessor (batch augments
dropped) and its test pipeline; for 1-channel models (Fashion-MNIST) the
pipeline first converts images to one channel (see :data:`TO_GRAY`). Class
names go to the checkpoint's ``meta['dataset_meta']`` (read by mmpretrain's
``get_model``) and to the config's ``classes``. ``custom_imports`` is added
only when a module of the exported model or pipeline is this package's
(e.g. ``ResNeXt_CIFAR``).

The stored ``meta['cfg']`` is parsed without executing it
(:mod:`adautomix_mm.compat.stored_config`: MMEngine dumps assignments of
literals; anything else is refused unless ``--trust-config``), and a
``type`` is looked up in the registries only by a plain or ``mmpretrain.``/
``mmengine.``-scoped name (other dotted names would import modules).

The input checkpoint loads with ``torch.load(weights_only=True)`` and the
allow-list of the types MMEngine writes
(:data:`adautomix_mm.compat.MMENGINE_SAFE_GLOBALS`); the output holds only
tensors and Python builtins, so ``torch.load(weights_only=True)`` -- what
mmpretrain's APIs use with PyTorch >= 2.6 -- reads it with no allow-list.
"""
import argparse
import copy
import os.path as osp
import re
import warnings

import numpy as np
import torch
from mmengine.config import Config, ConfigDict, DictAction

from adautomix_mm.compat import load_weights_only
from adautomix_mm.compat.stored_config import load_stored_config

PARTS = ('backbone.', 'neck.', 'head.')
PREFIX = {'ema': 'teacher.module.', 'online': ''}
NETWORKS = tuple(sorted(PREFIX))

# mmpretrain's ImageClassificationInferencer reads image files with
# ``mmcv.imread`` in colour (3 channels, BGR), whatever the model needs. For a
# 1-channel model the exported pipeline starts with mmcv's RandomGrayscale at
# prob=1, i.e. always: 3 channels -> 1 with weights (B, G, R) = (1/8, 5/8,
# 2/8), a dyadic approximation of the BT.601 luma weights (0.114, 0.587,
# 0.299) whose sum is exactly 1 in floating point, so a grey image read in
# colour (B = G = R) comes back with exactly its own pixel values. A 2-D
# (already grey) array only gains a channel axis (a no-op for PackInputs).
TO_GRAY = dict(type='RandomGrayscale', prob=1.0, keep_channels=False,
               channel_weights=(0.125, 0.625, 0.25))


def export_state_dict(state_dict: dict, network: str = 'ema') -> dict:
    """``backbone.*``/``neck.*``/``head.*`` weights of ``network`` of a
    two-network (EMA-teacher) model's state dict."""
    _check_network(network)
    prefix = PREFIX[network]
    out = _strip(state_dict, prefix)
    if not any(k.startswith('backbone.') for k in out):
        raise KeyError(f'no `{prefix}backbone.*` weights in the checkpoint: '
                       'is it from an EMA-teacher model such as AdAutoMix?')
    return out


def select_network(checkpoint: dict, network: str = 'ema'):
    """``(state_dict, exported)``: the weights of ``network`` in a training
    checkpoint of any classifier of this package, and which network they are
    (``'ema'``, ``'online'`` or ``'single'`` for a classifier trained
    without any EMA)."""
    _check_network(network)
    state = checkpoint.get('state_dict', checkpoint)
    if any(k.startswith(PREFIX['ema']) for k in state):
        return export_state_dict(state, network), network
    ema = checkpoint.get('ema_state_dict', None)
    if ema is not None:
        # MMEngine's EMAHook swaps on save: `state_dict` holds the EMA
        # weights, `ema_state_dict` the source model's as `module.*`.
        source = state if network == 'ema' else _strip(ema, 'module.')
        exported = network
    else:
        source, exported = state, 'single'
    out = _strip(source, '')
    if not any(k.startswith('backbone.') for k in out):
        raise KeyError('no `backbone.*` weights in the checkpoint: is it a '
                       'classifier checkpoint written by MMEngine?')
    return out, exported


def inference_config(cfg: Config) -> Config:
    """A plain ``ImageClassifier`` config for inference from a training
    config ``cfg`` of this package (any of its classifiers)."""
    model = cfg.model
    for part in ('backbone', 'head'):
        if model.get(part, None) is None:
            raise KeyError(f'the config has no model.{part}: cannot build an '
                           'ImageClassifier from it')
    preprocessor = _to_dict(cfg.get('data_preprocessor', None) or {})
    preprocessor.update(_to_dict(model.get('data_preprocessor', None) or {}))
    preprocessor.pop('batch_augments', None)
    plain = dict(type='ImageClassifier',
                 backbone=_to_dict(model.backbone),
                 neck=_to_dict(model.get('neck', None)),
                 head=_to_dict(model.head),
                 data_preprocessor=preprocessor)
    if plain['neck'] is None:
        plain.pop('neck')

    loader = _to_dict(cfg.get('test_dataloader', None) or
                      cfg.get('val_dataloader', None) or {})
    dataset = loader.get('dataset', None) or {}
    pipeline = list(dataset.get('pipeline', None) or
                    _to_dict(cfg.get('test_pipeline', None)) or
                    [dict(type='PackInputs')])
    if _input_channels(plain) == 1:
        pipeline = _with_gray_conversion(pipeline)
    if dataset.get('type') is None or _is_this_package('DATASETS',
                                                        dataset['type']):
        # The dataset needs this package (or is unknown): keep only the
        # pipeline, which is all mmpretrain's inferencer reads.
        test_dataloader = dict(dataset=dict(pipeline=pipeline))
        test_evaluator = None
    else:
        test_dataloader = dict(loader, dataset=dict(dataset, pipeline=pipeline))
        test_evaluator = dict(type='Accuracy', topk=_topk(cfg))

    out = dict(default_scope='mmpretrain', model=plain,
               test_pipeline=pipeline, test_dataloader=test_dataloader)
    if test_evaluator is not None:
        out.update(test_evaluator=test_evaluator, test_cfg=dict())
    ours = _types_of_this_package(plain, 'MODELS') + \
        _types_of_this_package(pipeline, 'TRANSFORMS')
    if ours:
        # Unavoidable: the exported network uses modules of this package.
        out['custom_imports'] = dict(imports=['adautomix_mm'],
                                     allow_failed_imports=False)
    return Config(out)


def dataset_meta(checkpoint: dict, cfg) -> dict:
    """Class names etc.: the checkpoint's ``meta['dataset_meta']`` (MMEngine
    saves the training set's metainfo), else the test dataset class's
    ``METAINFO``."""
    meta = (checkpoint.get('meta', None) or {}).get('dataset_meta', None)
    if meta:
        return _builtin(meta)
    if cfg is not None:
        from mmpretrain.registry import DATASETS
        loader = cfg.get('test_dataloader', None) or {}
        name = (loader.get('dataset', None) or {}).get('type', None)
        cls = DATASETS.get(name) if _plain_type(name) else None
        if cls is not None and getattr(cls, 'METAINFO', None):
            return _builtin(dict(cls.METAINFO))
    return {}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='trained checkpoint (loaded '
                        'weights-only)')
    parser.add_argument('out', help='output .pth')
    parser.add_argument(
        '--network', choices=NETWORKS, default='ema',
        help='ema: the EMA teacher (two-network models) or EMAHook model; '
        'online: the online network')
    parser.add_argument(
        '--config', help='the training config (default: the one stored in '
        "the checkpoint's meta['cfg'])")
    parser.add_argument(
        '--trust-config', action='store_true',
        help="execute the checkpoint's meta['cfg'] as Python when it holds "
        'more than a dumped config (assignments of literals); by default it '
        'is parsed without running anything and such a file is refused')
    parser.add_argument(
        '--out-config', help='inference config to write (default: OUT with '
        'the .py suffix)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='overrides used in training, applied to --config')
    args = parser.parse_args(argv)
    if not args.out.endswith('.pth'):
        parser.error(f'OUT must be a .pth file, got {args.out!r}')
    return args


def main(argv=None):
    args = parse_args(argv)
    ckpt = load_weights_only(args.checkpoint, map_location='cpu')
    state, exported = select_network(ckpt, args.network)
    cfg = _training_config(args, ckpt)
    meta = _builtin(dict(ckpt.get('meta', None) or {}))
    meta.pop('cfg', None)
    meta.update(exported_from=args.checkpoint, network=exported)
    classes = dataset_meta(ckpt, cfg)
    if classes:
        meta['dataset_meta'] = classes
    out_cfg = None
    if cfg is not None:
        plain = inference_config(cfg)
        if classes.get('classes'):
            plain['classes'] = list(classes['classes'])
        out_cfg = args.out_config or osp.splitext(args.out)[0] + '.py'
        plain.dump(out_cfg)
        meta['cfg'] = plain.pretty_text
    else:
        warnings.warn(
            'no --config and no meta["cfg"] in the checkpoint: only the '
            'weights are exported; pass --config TRAIN_CONFIG to also write '
            'the inference config')
    torch.save(dict(state_dict=state, meta=meta), args.out)
    print(f'{exported} network -> {args.out}' +
          (f' (config {out_cfg})' if out_cfg else ''))
    return args.out, out_cfg


# ----------------------------------------------------------------- helpers
def _check_network(network: str) -> None:
    if network not in PREFIX:
        raise ValueError(f'network must be one of {sorted(PREFIX)}, got '
                         f'{network!r}')


def _strip(state_dict: dict, prefix: str) -> dict:
    return {
        key[len(prefix):]: value
        for key, value in state_dict.items()
        if key.startswith(prefix) and key[len(prefix):].startswith(PARTS)
    }


def _training_config(args, ckpt):
    if args.config is not None:
        cfg = Config.fromfile(args.config)
    else:
        text = (ckpt.get('meta', None) or {}).get('cfg', None)
        if not isinstance(text, str):
            return None
        cfg = load_stored_config(
            text, source=f"meta['cfg'] of {args.checkpoint}",
            trust=args.trust_config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def _to_dict(obj):
    """Plain (deep-copied) dicts and lists from ConfigDicts."""
    if isinstance(obj, (ConfigDict, dict)):
        return {k: _to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_dict(v) for v in obj)
    return copy.deepcopy(obj)


_DROP = object()


def _builtin(obj):
    """Meta values as Python builtins and tensors only (what
    ``torch.load(weights_only=True)`` reads without an allow-list); other
    objects (e.g. MMEngine's HistoryBuffer) are dropped."""
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            value = _builtin(value)
            if value is not _DROP:
                out[str(key)] = value
        return out
    if isinstance(obj, (list, tuple)):
        items = [v for v in map(_builtin, obj) if v is not _DROP]
        return type(obj)(items) if type(obj) in (list, tuple) else items
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if obj is None or isinstance(obj, (bool, int, float, str, torch.Tensor)):
        return obj
    return _DROP


def _input_channels(model: dict) -> int:
    channels = model['backbone'].get('in_channels', None)
    if channels is None:
        mean = model['data_preprocessor'].get('mean', None)
        channels = len(mean) if mean is not None else 3
    return int(channels)


def _with_gray_conversion(pipeline: list) -> list:
    if any(t.get('type') == 'RandomGrayscale' for t in pipeline):
        return pipeline
    loads = [i for i, t in enumerate(pipeline)
             if str(t.get('type', '')).endswith('LoadImageFromFile')]
    at = loads[-1] + 1 if loads else 0
    return pipeline[:at] + [dict(TO_GRAY)] + pipeline[at:]


def _topk(cfg) -> tuple:
    evaluators = cfg.get('test_evaluator', None) or []
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    for ev in evaluators:
        if ev.get('topk', None) is not None:
            return tuple(ev['topk'])
    return (1, )


def _registry(name):
    from mmpretrain import registry
    return getattr(registry, name)


# Type names looked up in the registries: a dotted name of another scope
# makes MMEngine import that module (``Registry.get``), i.e. run its code.
_PLAIN_TYPE = re.compile(r'((mmpretrain|mmengine)\.)?\w+')


def _plain_type(type_name) -> bool:
    return isinstance(type_name, str) and bool(
        _PLAIN_TYPE.fullmatch(type_name))


def _is_this_package(registry_name: str, type_name) -> bool:
    if not _plain_type(type_name):
        return False
    cls = _registry(registry_name).get(type_name)
    return cls is not None and cls.__module__.startswith('adautomix_mm')


def _types_of_this_package(obj, registry_name: str) -> list:
    found = []
    if isinstance(obj, dict):
        if _is_this_package(registry_name, obj.get('type', None)):
            found.append(obj['type'])
        for key, value in obj.items():
            if key != 'type':
                found += _types_of_this_package(value, registry_name)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            found += _types_of_this_package(value, registry_name)
    return found


if __name__ == '__main__':
    main()
