"""A fresh, non-editable install of the wheel works with ``mim train``.

The wheel is built from a copy of the repository's files (tracked plus
untracked-but-not-ignored, i.e. what a commit would hold), so build
leftovers in the checkout (``build/``, ``*.egg-info``) can neither leak into
it nor be written by it. It is installed with ``pip --target`` into a temp
dir and every command runs from another temp dir with only that dir on
``PYTHONPATH``: the source tree is not importable, so ``mim`` has to find
``tools/train.py`` and the config (given by its base name) inside the
installed package.
"""
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PKG = 'adautomix_mm'
CFG_NAME = 'vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py'


def _copy_source_tree(repo_root: Path, dst: Path) -> None:
    files = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=repo_root, check=True, capture_output=True).stdout.split(b'\0')
    for rel in filter(None, (f.decode() for f in files)):
        src = repo_root / rel
        if not src.is_file():  # deleted but still in the index
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


@pytest.fixture(scope='module')
def installed(tmp_path_factory, e2e):
    """Build the wheel and ``pip install --no-deps --target`` it."""
    if shutil.which('git') is None:
        pytest.skip('git is needed to list the repository files')
    root = tmp_path_factory.mktemp('install')
    src, dist, site = root / 'src', root / 'dist', root / 'site'
    _copy_source_tree(e2e.repo_root, src)
    e2e.run_cmd([sys.executable, '-m', 'build', '--wheel', '--no-isolation',
                 '--outdir', dist, src], env=e2e.make_env(pythonpath=[]),
                cwd=root, timeout=180)
    wheels = sorted(dist.glob(f'{PKG}-*.whl'))
    assert len(wheels) == 1, wheels
    e2e.run_cmd([sys.executable, '-m', 'pip', 'install', '--no-deps',
                 '--no-index', '--target', site, wheels[0]],
                env=e2e.make_env(pythonpath=[]), cwd=root, timeout=180)
    cwd = root / 'cwd'
    cwd.mkdir()
    return dict(wheel=wheels[0], site=site, cwd=cwd, src=src)


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


def _mim_train(installed, e2e, mim_exe, work_dir, *extra, omp_threads=None,
               timeout=300):
    cmd = [mim_exe, 'train', PKG, CFG_NAME, *extra, '--work-dir', work_dir]
    cmd += e2e.cfg_options(
        'default_hooks.rank_state_dump.type=ddp_state_dump.RankStateDumpHook')
    # tests/helpers holds only the dump hook; the package itself must come
    # from the installed copy.
    env = e2e.make_env(pythonpath=[installed['site'], e2e.helpers_dir],
                       omp_threads=omp_threads)
    return e2e.run_cmd(cmd, env=env, cwd=installed['cwd'], timeout=timeout,
                       log_file=work_dir.parent / 'mim.out')


def _assert_trained(installed, e2e, result, work_dir, world_size):
    site = str(installed['site'])
    # mim found the script and the config inside the installed package.
    assert f'{site}/{PKG}/.mim/tools/train.py' in result.stdout
    assert f'{site}/{PKG}/.mim/configs/baselines/vanilla/{CFG_NAME}' \
        in result.stdout
    assert 'Training finished successfully' in result.stdout
    assert (work_dir / 'epoch_1.pth').is_file()
    log = e2e.train_log(work_dir)
    iters = 64 // 16 // world_size
    assert f'Epoch(train) [1][{iters}/{iters}]' in log
    assert 'loss:' in log
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
    assert 'accuracy/top1' in log  # the validation after epoch 1 ran
    # `mim run adautomix_mm compare` finds tools/compare.py in the package
    out = e2e.run_cmd([mim_exe, 'run', PKG, 'compare', work_dir, '--out-dir',
                       tmp_path / 'cmp'],
                      env=e2e.make_env(pythonpath=[installed['site']]),
                      cwd=installed['cwd'], timeout=120).stdout
    assert '| vanilla | `vanilla_resnet18-w16_1xb64-5e_fmnist-embedded` | single | 1 (' in out
    assert (tmp_path / 'cmp' / 'curves.png').is_file()


@pytest.mark.slow
def test_mim_train_pytorch_launcher_two_processes_from_wheel(
        installed, e2e, mim_exe, tmp_path):
    # mim runs `python -m torch.distributed.launch --nproc_per_node=2`,
    # which passes --local-rank=K to the train script.
    work_dir = tmp_path / 'work_dir'
    result = _mim_train(installed, e2e, mim_exe, work_dir,
                        '--launcher', 'pytorch', '--gpus', '2',
                        '--port', str(e2e.free_port()), omp_threads=1)
    assert 'torch.distributed.launch --nproc_per_node=2' in result.stdout
    log = _assert_trained(installed, e2e, result, work_dir, world_size=2)
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size


@pytest.mark.slow
@pytest.mark.parametrize('method', ['puzzlemix', 'rmix'])
def test_mim_train_saliency_mixers_from_wheel(method, installed, e2e,
                                              mim_exe, tmp_path):
    """The saliency-guided baselines train through `mim train` from the
    installed wheel (their configs found by base name)."""
    if method == 'puzzlemix':
        pytest.importorskip('gco')
    cfg = f'{method}_resnet18-w16_1xb64-5e_fmnist-embedded.py'
    work_dir = tmp_path / 'work_dir'
    cmd = [mim_exe, 'train', PKG, cfg, '--work-dir', work_dir]
    cmd += e2e.cfg_options()
    result = e2e.run_cmd(
        cmd, env=e2e.make_env(pythonpath=[installed['site']], omp_threads=1),
        cwd=installed['cwd'], timeout=300, log_file=tmp_path / 'mim.out')
    site = str(installed['site'])
    assert f'{site}/{PKG}/.mim/configs/baselines/{method}/{cfg}' \
        in result.stdout
    assert 'Training finished successfully' in result.stdout
    assert 'Epoch(train) [1][4/4]' in e2e.train_log(work_dir)


@pytest.mark.slow
def test_mim_search_lists_every_recipe_from_wheel(installed, e2e, mim_exe):
    """``mim search`` reads ``.mim/model-index.yml`` of the installed
    package: every non-base config of the checkout is listed, with method,
    backbone, dataset, epochs, paper and official code."""
    env = e2e.make_env(pythonpath=[installed['site']])
    out = e2e.run_cmd([mim_exe, 'search', PKG, '--valid-config'], env=env,
                      cwd=installed['cwd'], timeout=300).stdout
    listed = set(re.findall(r"'([^']+)'", out.split('valid config ids:')[-1]))
    configs = {p.stem for p in (installed['src'] / 'configs').rglob('*.py')
               if '_base_' not in p.parts}
    assert listed == configs, sorted(listed ^ configs)
    recipe = 'adautomix_resnet18_1xb100-800e_cifar100'
    out = e2e.run_cmd([mim_exe, 'search', PKG, '--config', recipe,
                       '--display-width', '300'], env=env,
                      cwd=installed['cwd'], timeout=300).stdout
    fields = dict(re.findall(r'^(\S+)\s+(.+?)\s*$', out, re.M))
    assert fields['method'] == 'adautomix'
    assert fields['architecture'] == 'resnet-18'
    assert fields['training_data'] == 'cifar-100'
    assert fields['epochs'] == '800'
    assert fields['paper'] == 'https://arxiv.org/abs/2312.11954'
    assert fields['official_code'] == \
        'https://github.com/jinxins/adversarial-automixup'
    assert f'configs/adautomix/{recipe}.py' in fields['config']


@pytest.mark.slow
@pytest.mark.parametrize('entry', [PKG, 'mmpretrain'])
def test_mim_train_resolves_mmpretrain_scoped_base_from_wheel(
        installed, e2e, mim_exe, tmp_path, entry):
    """An installed package base that inherits ``mmpretrain::`` trains
    through ``mim train adautomix_mm`` (this package's script) and ``mim
    train mmpretrain`` (MMPretrain's script) with only the wheel added to
    the path."""
    bases = installed['site'] / PKG / '.mim' / 'configs' / '_base_'
    assert 'mmpretrain::' in (bases / 'models' / 'resnet18_cifar.py').read_text()
    cfg = tmp_path / 'user_r18cifar_fmnist.py'
    cfg.write_text(
        f"_base_ = ['{bases}/models/resnet18_cifar.py',\n"
        f"          '{bases}/datasets/fashion_mnist_embedded.py',\n"
        f"          '{bases}/schedules/fmnist_sgd_demo.py',\n"
        f"          '{bases}/default_runtime.py']\n"
        "model = dict(backbone=dict(in_channels=1), "
        "head=dict(num_classes=10))\n")
    work_dir = tmp_path / 'work'
    e2e.run_cmd([mim_exe, 'train', entry, cfg, '--work-dir', work_dir]
                + e2e.cfg_options(),
                env=e2e.make_env(pythonpath=[installed['site']]),
                cwd=installed['cwd'], timeout=300)
    assert 'Epoch(train) [1][4/4]' in e2e.train_log(work_dir)
