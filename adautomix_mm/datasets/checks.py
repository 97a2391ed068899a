"""One-line errors for loader configs that cannot work: a dataset that
selects no sample (MMEngine otherwise stops with numpy's "need at least one
array to concatenate"), and a mixing method trained on batches of one."""
import os.path as osp
import re
from contextlib import contextmanager
from typing import Iterator, Tuple

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
# Models that mix each image with partners from its own batch.
SELF_MIXING = ('AdAutoMix', 'AutoMix', 'ManifoldMixClassifier',
               'SaliencyMixClassifier')
_EMPTY = 'need at least one array to concatenate'


def _datasets(cfg) -> Iterator[Tuple[str, dict]]:
    """``(key, dataset cfg)`` of every loader's dataset, wrappers opened."""
    for name in LOADERS:
        loader = cfg.get(name, None)
        if not loader or not loader.get('dataset'):
            continue
        todo = [(f'{name}.dataset', loader['dataset'])]
        while todo:
            key, ds = todo.pop()
            yield key, ds
            if isinstance(ds.get('dataset'), dict):
                todo.append((f'{key}.dataset', ds['dataset']))
            for i, sub in enumerate(ds.get('datasets') or ()):
                if isinstance(sub, dict):
                    todo.append((f'{key}.datasets[{i}]', sub))


def check_datasets(cfg) -> None:
    """Refuse ``indices`` that select nothing and an annotation file with
    no line, naming the config key."""
    for key, ds in _datasets(cfg):
        indices = ds.get('indices', None)
        if indices is not None and not isinstance(indices, bool) and (
                indices == 0 or (isinstance(indices, (list, tuple))
                                 and len(indices) == 0)):
            raise ValueError(f'{key}.indices={indices!r} selects no sample: '
                             'give a number > 0 or a non-empty list of '
                             'indices (None: the whole dataset)')
        ann_file = ds.get('ann_file', None)
        if not isinstance(ann_file, str) or not ann_file:
            continue
        path = ann_file if osp.isabs(ann_file) or not ds.get('data_root') \
            else osp.join(ds['data_root'], ann_file)
        if osp.isfile(path) and osp.getsize(path) < (1 << 20):
            with open(path, 'rb') as f:
                empty = not f.read().strip()
            if empty:
                raise ValueError(f'{key}.ann_file={path!r} is empty: the '
                                 'dataset would have no sample')


_CHANNELS = re.compile(r'expected input\[([0-9, ]+)\] to have (\d+) '
                       r'channels, but got (\d+) channels')


@contextmanager
def explain_data_errors(cfg):
    """Turn two errors raised deep inside a run into one line: MMEngine's for
    a dataset without samples (naming the datasets of ``cfg``), and a
    convolution's for images whose channels differ from the model's."""
    try:
        yield
    except ValueError as err:
        if _EMPTY not in str(err):
            raise
        names = ', '.join(f'{key} ({ds.get("type")})'
                          for key, ds in _datasets(cfg))
        raise ValueError(f'a dataset has no sample ({_EMPTY}): check the '
                         f'indices, ann_file and data_prefix of {names}') \
            from None
    except RuntimeError as err:
        found = _CHANNELS.search(str(err))
        if found is None:
            raise
        shape, want, got = found.groups()
        raise ValueError(
            f'the data have {got}-channel images (batch [{shape}]) but the '
            f'model\'s first convolution takes {want}: use a {want}-channel '
            'dataset, or a backbone (in_channels) and data_preprocessor '
            f'(mean/std) for {got} channels') from None


def mixing_method(cfg):
    """The name of what mixes the training batch (a self-mixing model or a
    batch augment), None when nothing does."""
    model = cfg.get('model', None) or {}
    if model.get('type') in SELF_MIXING:
        mixer = model.get('mixer') or {}
        return mixer.get('type') or model['type']
    pre = model.get('data_preprocessor') or cfg.get('data_preprocessor',
                                                   None) or {}
    augments = pre.get('batch_augments') or \
        (model.get('train_cfg') or {}).get('augments')
    if augments:
        augments = augments.get('augments', augments) \
            if isinstance(augments, dict) else augments
        if isinstance(augments, dict):
            augments = [augments]
        return '/'.join(str(a.get('type')) for a in augments)
    return None


def check_train_batch(cfg) -> None:
    """Refuse ``train_dataloader.batch_size=1`` for a mixing method: every
    image would be its own partner, so nothing would be mixed."""
    loader = cfg.get('train_dataloader', None) or {}
    method = mixing_method(cfg)
    if loader.get('batch_size', None) == 1 and method is not None:
        raise ValueError(
            f'train_dataloader.batch_size=1: {method} mixes each image with '
            'partners from its batch, so a batch of one image trains on '
            'unmixed images; use batch_size >= 2 (per process)')
