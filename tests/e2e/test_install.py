"""A fresh, non-editable install of the wheel works with ``mim train``.

The wheel is built from a copy of the repository's files (tracked plus
untracked-but-not-ignored, i.e. what a commit would hold), so build
leftovers in the checkout (``build/``, ``*.egg-info``) can neither leak into
it nor be written by it. It is installed with ``pip --target`` into a temp
dir and every command runs from another temp dir with only that dir on
``PYTHONPATH``: the source tree is not importable, so ``mim`` has to find
``tools/train.py`` and the config (given by its base name) inside the
installed package. The wheel is the session fixture ``installed``
(tests/conftest.py). Every method of the comparison family then trains a
few iterations from it with two processes under mim's launcher.
"""
import sys
import zipfile
from pathlib import Path

import pytest

PKG = 'adautomix_mm'
CFG_NAME = 'vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py'


def test_wheel_ships_mim_tools_configs_and_embedded_data(installed, e2e):
    with zipfile.ZipFile(installed['wheel']) as whl:
        names = set(whl.namelist())
    mim = f'{PKG}/.mim'
    for required in (f'{mim}/tools/train.py', f'{mim}/tools/test.py',
                     f'{mim}/tools/compare.py',
                     f'{mim}/configs/_base_/default_runtime.py',
                     f'{mim}/configs/baselines/vanilla/{CFG_NAME}'):
        assert required in names, required
    # Every config of the repository is shipped, and nothing else under
    # .mim/configs (no stale files from an old build dir).
    repo_cfgs = {p.relative_to(installed['src']).as_posix()
                 for p in (installed['src'] / 'configs').rglob('*.py')}
    wheel_cfgs = {n[len(mim) + 1:] for n in names
                  if n.startswith(f'{mim}/configs/') and n.endswith('.py')}
    assert wheel_cfgs == repo_cfgs
    # The config base name is unique inside the package (mim searches the
    # whole package by base name and refuses duplicates).
    assert sum(n.endswith('/' + CFG_NAME) for n in names) == 1
    # The embedded Fashion-MNIST subset (4k train / 1k test IDX files).
    embedded = [n for n in names if n.startswith(f'{PKG}/datasets/embedded/')]
    repo_embedded = sorted(
        p.name for p in (e2e.repo_root / PKG / 'datasets' / 'embedded').iterdir()
        if p.is_file())
    assert sorted(n.rsplit('/', 1)[1] for n in embedded) == repo_embedded
    assert sum('idx3-ubyte' in n for n in embedded) >= 2  # train + test images
    assert sum('idx1-ubyte' in n for n in embedded) >= 2  # train + test labels
    assert not any('/tests/' in n or n.startswith('tests/') for n in names)


def _probe(installed, e2e):
    code = (
        'import adautomix_mm, mim.utils as u, mmpretrain.registry as r\n'
        'print("FILE", adautomix_mm.__file__)\n'
        'print("INSTALLED", u.is_installed("adautomix_mm"))\n'
        'print("ROOT", u.get_installed_path("adautomix_mm"))\n'
        'print("DATASET", "EmbeddedFashionMNIST" in r.DATASETS)\n')
    out = e2e.run_cmd([sys.executable, '-c', code],
                      env=e2e.make_env(pythonpath=[installed['site']]),
                      cwd=installed['cwd'], timeout=120).stdout
    return dict(line.split(' ', 1) for line in out.splitlines()
                if line.split(' ', 1)[0] in ('FILE', 'INSTALLED', 'ROOT',
                                             'DATASET'))


@pytest.mark.slow
def test_installed_package_is_the_one_imported_and_found_by_mim(installed,
                                                                e2e):
    probe = _probe(installed, e2e)
    site = str(installed['site'])
    assert probe['FILE'] == f'{site}/{PKG}/__init__.py'
    assert probe['INSTALLED'] == 'True'
    # Without this, `mim train` would try `mim install adautomix_mm`.
    assert probe['ROOT'] == f'{site}/{PKG}'
    assert probe['DATASET'] == 'True'


VANILLA_CFG = 'configs/baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py'
# Every method of the comparison family on the embedded Fashion-MNIST
# recipe (configs found by mim from their base names).
METHOD_CFGS = {
    'vanilla': VANILLA_CFG,
    'mixup': 'configs/baselines/mixup/mixup_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'cutmix': 'configs/baselines/cutmix/cutmix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'resizemix':
    'configs/baselines/resizemix/resizemix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'fmix': 'configs/baselines/fmix/fmix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'saliencymix':
    'configs/baselines/saliencymix/saliencymix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'gridmix': 'configs/baselines/gridmix/gridmix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'puzzlemix':
    'configs/baselines/puzzlemix/puzzlemix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'comixup': 'configs/baselines/comixup/comixup_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'rmix': 'configs/baselines/rmix/rmix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'manifoldmix':
    'configs/baselines/manifoldmix/manifoldmix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
}
NEEDS_GCO = ('puzzlemix', 'comixup')
# Clean loss kept (train-mode saliency pass whose loss joins DDP's backward):
# Co-Mixup; PuzzleMix here runs its CIFAR-style eval-mode pass (clean_lam 0).
CLEAN_KEPT = ('comixup', )


def _mim_train(installed, e2e, mim_exe, work_dir, *extra, cfg=VANILLA_CFG,
               omp_threads=None, timeout=300):
    cmd = [mim_exe, 'train', PKG, Path(cfg).name, *extra, '--work-dir',
           work_dir]
    cmd += e2e.cfg_options(
        'randomness.seed=0',
        'default_hooks.rank_state_dump.type=ddp_state_dump.RankStateDumpHook')
    # tests/helpers holds only the dump hook; the package itself must come
    # from the installed copy.
    env = e2e.make_env(pythonpath=[installed['site'], e2e.helpers_dir],
                       omp_threads=omp_threads)
    return e2e.run_cmd(cmd, env=env, cwd=installed['cwd'], timeout=timeout,
                       log_file=work_dir.parent / 'mim.out')


def _assert_trained(installed, e2e, result, work_dir, world_size,
                    cfg=VANILLA_CFG):
    site = str(installed['site'])
    # mim found the script and the config inside the installed package.
    assert f'{site}/{PKG}/.mim/tools/train.py' in result.stdout
    assert f'{site}/{PKG}/.mim/{cfg}' in result.stdout
    assert 'Training finished successfully' in result.stdout
    assert (work_dir / 'epoch_1.pth').is_file()
    log = e2e.train_log(work_dir)
    iters = 64 // 16 // world_size
    assert f'Epoch(train) [1][{iters}/{iters}]' in log
    assert 'loss:' in log
    assert 'accuracy/top1' in log  # the validation after epoch 1 ran
    # Every rank ran, inside the installed package.
    dumps = sorted(work_dir.glob('rank*_final.pth'))
    assert [p.name for p in dumps] == [
        f'rank{r}_final.pth' for r in range(world_size)]
    import torch
    for path in dumps:
        meta = torch.load(path, map_location='cpu', weights_only=True)
        assert meta['world_size'] == world_size
        assert meta['iter'] == iters
        assert meta['module_files'][PKG] == f'{site}/{PKG}/__init__.py'
    return log


@pytest.mark.slow
def test_mim_train_single_process_from_wheel(installed, e2e, mim_exe,
                                             tmp_path):
    work_dir = tmp_path / 'work_dir'
    result = _mim_train(installed, e2e, mim_exe, work_dir)
    log = _assert_trained(installed, e2e, result, work_dir, world_size=1)
    assert 'Distributed training: False' in log
    # `mim run adautomix_mm compare` finds tools/compare.py in the package
    out = e2e.run_cmd([mim_exe, 'run', PKG, 'compare', work_dir, '--out-dir',
                       tmp_path / 'cmp'],
                      env=e2e.make_env(pythonpath=[installed['site']]),
                      cwd=installed['cwd'], timeout=120).stdout
    assert '| vanilla | `vanilla_resnet18-w16_1xb64-5e_fmnist-embedded` | single | 1 (' in out
    assert (tmp_path / 'cmp' / 'curves.png').is_file()


@pytest.mark.slow
@pytest.mark.parametrize('method', sorted(METHOD_CFGS))
def test_mim_train_two_processes_every_method(method, installed, e2e,
                                              mim_exe, tmp_path):
    """Each method trains 2 iterations per rank through `mim train` from the
    wheel with mim's pytorch launcher (`torch.distributed.launch
    --nproc_per_node=2`, gloo on CPU); each rank mixes its own batch and
    the all-reduced updates keep the ranks' parameters identical."""
    if method in NEEDS_GCO:
        pytest.importorskip('gco')
    cfg = METHOD_CFGS[method]
    work_dir = tmp_path / 'work_dir'
    result = _mim_train(installed, e2e, mim_exe, work_dir,
                        '--launcher', 'pytorch', '--gpus', '2',
                        '--port', str(e2e.free_port()), cfg=cfg,
                        omp_threads=1)
    assert 'torch.distributed.launch --nproc_per_node=2' in result.stdout
    log = _assert_trained(installed, e2e, result, work_dir, world_size=2,
                          cfg=cfg)
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert ('loss_clean' in log) == (method in CLEAN_KEPT)
    e2e.assert_ranks_in_sync(work_dir)
