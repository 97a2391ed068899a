"""Configs build their Runner under MMPretrain's own ``tools/train.py``
logic (what ``mim train mmpretrain CFG`` runs): its ``parse_args`` and
``merge_args`` (which default every dataloader to
``persistent_workers=True``), then ``Runner.from_cfg``, in-process.

A full Runner build costs 1-7 s per config on the shared 2-core machine
(model, hooks, config dump), too much for the ~200 configs, so the full
build runs for one config per method folder, the folders taking turns over
the sibling recipes (backbone x dataset) so that most recipes are covered
once; every config gets the cheap part: MMPretrain's argument merge and a
dataloader that torch would accept. Every config's model is built in
tests/test_configs/test_recipes.py.
"""
import importlib.util
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_ROOT = REPO_ROOT / 'configs'
RUNNABLE = sorted(p for p in CONFIG_ROOT.rglob('*.py')
                  if '_base_' not in p.relative_to(CONFIG_ROOT).parts)


def _one_per_folder():
    folders = sorted({p.parent for p in RUNNABLE})
    siblings = sorted({p.name.split('_', 1)[1] for p in RUNNABLE})
    chosen = []
    for i, folder in enumerate(folders):
        names = sorted(folder.glob('*.py'))
        by_sibling = {p.name.split('_', 1)[1]: p for p in names}
        order = siblings[i % len(siblings):] + siblings[:i % len(siblings)]
        chosen.append(next((by_sibling[s] for s in order if s in by_sibling),
                           names[0]))
    return chosen


@pytest.fixture(scope='module')
def mmpretrain_train():
    import mmpretrain
    script = Path(mmpretrain.__file__).parent / '.mim' / 'tools' / 'train.py'
    spec = importlib.util.spec_from_file_location('_mmpretrain_train', script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mmpretrain_cfg(module, path, work_dir, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['train.py', str(path), '--work-dir',
                                      str(work_dir)])
    args = module.parse_args()
    return module.merge_args(Config.fromfile(args.config), args)


@pytest.mark.parametrize('path', RUNNABLE, ids=lambda p: p.name)
def test_mmpretrain_merge_gives_loaders_torch_accepts(
        path, mmpretrain_train, tmp_path, monkeypatch):
    cfg = _mmpretrain_cfg(mmpretrain_train, path, tmp_path, monkeypatch)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if loader is None:
            continue
        # torch's DataLoader refuses persistent workers without workers
        assert loader.num_workers > 0 or not loader.persistent_workers, name
    assert cfg.work_dir == str(tmp_path)


@pytest.mark.parametrize('path', _one_per_folder(),
                         ids=lambda p: f'{p.parent.name}/{p.name}')
def test_runner_builds_under_mmpretrain_train_script(
        path, mmpretrain_train, tmp_path, monkeypatch):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cfg = _mmpretrain_cfg(mmpretrain_train, path, tmp_path, monkeypatch)
        assert 'runner_type' not in cfg  # the script's Runner.from_cfg path
        runner = Runner.from_cfg(cfg)
    finally:
        torch.set_num_threads(threads)
    assert type(runner.model).__name__ == cfg.model.type
    # the package's hooks are registered by name from mmpretrain's registry
    hook_types = {type(h).__name__ for h in runner.hooks}
    for hook in cfg.get('custom_hooks', []):
        assert hook['type'].split('.')[-1] in hook_types, hook['type']
