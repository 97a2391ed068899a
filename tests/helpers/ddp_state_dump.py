"""Test helper: dump every rank's model state after training.

Used by the end-to-end DDP tests to prove that all ranks end with the same
parameters. Add it to any config from the command line, without editing the
config and without ``custom_imports``: the dotted ``type`` is resolved by
MMEngine's registry fallback (``get_object_from_string``) as long as this
folder is on ``PYTHONPATH``::

    PYTHONPATH=<repo>:<repo>/tests/helpers torchrun --nproc_per_node=2 \
        tools/train.py CFG --launcher pytorch --cfg-options \
        default_hooks.rank_state_dump.type=ddp_state_dump.RankStateDumpHook

(``default_hooks`` is a dict, so a new key adds one more hook; a list-valued
``custom_hooks=[dict(...)]`` cannot be written with ``--cfg-options``.)
Importing the module also registers the hook in mmpretrain's ``HOOKS`` as
``RankStateDumpHook`` for configs that list it in ``custom_hooks``.

Each rank writes ``<work_dir>/rank{R}_{stage}.pth`` holding a dict:

* ``params``: ``{name: tensor}`` for every parameter of the *unwrapped*
  model (the DDP wrapper's ``module``), cloned to CPU;
* ``buffers``: the same for buffers (BN running statistics are rank-local
  under the default ``broadcast_buffers=False``, so they normally differ);
* ``rank`` / ``world_size`` / ``iter``: where it came from;
* ``module_files``: ``__file__`` of ``adautomix_mm`` (and of this helper) as
  imported by the training process, to check which copy of the package ran.

``stage`` is ``init`` (``before_train``, after the wrapper broadcast the
initial weights) and ``final`` (``after_train``). Comparing ``final`` across
ranks proves synchronisation; comparing ``init`` with ``final`` proves that
training changed something. :func:`load_rank_states` and
:func:`compare_rank_states` do both for tests, optionally restricted to given
sub-modules (``prefixes=('teacher.', 'mix_block.')`` for AdAutoMix).
"""
import glob
import os.path as osp
import sys
from typing import Dict, Iterable, List, Optional, Tuple

import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS

STAGES = ('init', 'final')


# force=True: the module may be imported twice in one process (by file path
# in a test and by name through custom_imports).
@HOOKS.register_module(force=True)
class RankStateDumpHook(Hook):
    """Save each rank's unwrapped model state before and after training."""

    priority = 'LOWEST'

    def __init__(self, out_dir: Optional[str] = None,
                 stages: Tuple[str, ...] = STAGES):
        unknown = set(stages) - set(STAGES)
        if unknown:
            raise ValueError(f'unknown stages {sorted(unknown)}, '
                             f'expected a subset of {STAGES}')
        self.out_dir = out_dir
        self.stages = tuple(stages)

    def _dump(self, runner, stage: str) -> None:
        if stage not in self.stages:
            return
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        rank, world_size = get_dist_info()
        params = {n: p.detach().to('cpu', copy=True)
                  for n, p in model.named_parameters()}
        buffers = {n: b.detach().to('cpu', copy=True)
                   for n, b in model.named_buffers()}
        out_dir = self.out_dir or runner.work_dir
        torch.save(
            dict(params=params, buffers=buffers, rank=rank,
                 world_size=world_size, iter=runner.iter,
                 module_files=_module_files()),
            osp.join(out_dir, f'rank{rank}_{stage}.pth'))

    def before_train(self, runner) -> None:
        self._dump(runner, 'init')

    def after_train(self, runner) -> None:
        self._dump(runner, 'final')


def _module_files() -> Dict[str, Optional[str]]:
    names = ('adautomix_mm', __name__)
    return {n: getattr(sys.modules.get(n), '__file__', None) for n in names}


def load_rank_states(work_dir: str, stage: str = 'final') -> List[dict]:
    """Load the dumps of one stage, sorted by rank."""
    files = sorted(glob.glob(osp.join(work_dir, f'rank*_{stage}.pth')))
    dumps = [torch.load(f, map_location='cpu', weights_only=True)
             for f in files]
    return sorted(dumps, key=lambda d: d['rank'])


def _select(state: Dict[str, torch.Tensor],
            prefixes: Optional[Iterable[str]]) -> Dict[str, torch.Tensor]:
    if prefixes is None:
        return dict(state)
    prefixes = (prefixes, ) if isinstance(prefixes, str) else tuple(prefixes)
    return {k: v for k, v in state.items() if k.startswith(prefixes)}


def compare_rank_states(dumps: List[dict],
                        prefixes: Optional[Iterable[str]] = None,
                        kind: str = 'params',
                        floating_only: bool = False) -> List[str]:
    """Names of tensors that differ (bitwise) between rank 0 and any rank.

    An empty list means identical. ``kind`` is ``'params'`` or ``'buffers'``.
    ``prefixes`` restricts the check to sub-modules (e.g.
    ``('teacher.', 'mix_block.')``); it raises if nothing matches, so a typo
    cannot make the check vacuous.
    """
    if len(dumps) < 2:
        raise ValueError(f'need dumps from at least 2 ranks, got {len(dumps)}')
    ref = _select(dumps[0][kind], prefixes)
    if not ref:
        raise ValueError(f'no tensor matches prefixes {prefixes!r}')
    differing = []
    for other in dumps[1:]:
        cur = _select(other[kind], prefixes)
        if set(cur) != set(ref):
            differing.extend(sorted(set(cur) ^ set(ref)))
        for name, tensor in ref.items():
            if floating_only and not tensor.is_floating_point():
                continue
            if name in cur and not torch.equal(tensor, cur[name]):
                differing.append(f'{name} (rank {other["rank"]})')
    return differing


def changed_tensors(before: Dict[str, torch.Tensor],
                    after: Dict[str, torch.Tensor],
                    prefixes: Optional[Iterable[str]] = None) -> List[str]:
    """Names of floating-point tensors whose values differ.

    Pass ``dump['params']`` dicts, e.g. the ``init`` and ``final`` dumps of
    one rank, to check that training changed the weights.
    """
    b, a = _select(before, prefixes), _select(after, prefixes)
    return [n for n, t in b.items()
            if t.is_floating_point() and n in a and not torch.equal(t, a[n])]
