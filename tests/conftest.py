"""Shared fixtures for the test suite.

The folders mirror the package: ``test_models/<subpackage>/``,
``test_engine/``, ``test_runtime/``, ``test_evaluation/``, ``test_datasets/``;
``test_configs/`` checks the recipes, ``test_project/`` the docs, packaging
and benchmark plan, ``e2e/`` runs the entry points in subprocesses.
``helpers/`` holds the modules tests share (tiny models and batches, oracles,
hooks that subprocess runs import); ``configs/`` and ``fixtures/`` their data.

The end-to-end tests run the real entry points (``tools/train.py``,
``torchrun``, ``mim``) in subprocesses, always on CPU: the environment they
get hides CUDA devices, so a GPU machine runs the same CPU/gloo code path.
"""
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTS_DIR = REPO_ROOT / 'tests'
HELPERS_DIR = TESTS_DIR / 'helpers'
TEST_CONFIGS_DIR = TESTS_DIR / 'configs'
BIN_DIR = Path(sys.executable).parent

# The baseline config every end-to-end test trains (embedded Fashion-MNIST,
# ResNet-18 width 16, no mixing).
VANILLA_CFG_REL = 'configs/baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py'
VANILLA_CFG = REPO_ROOT / VANILLA_CFG_REL

# ``--cfg-options`` that cut a config to a few CPU iterations: 64 training
# images (4 iterations of 16 on one process, 2 per rank on two), one epoch,
# 32 validation images, loader workers off (no fork/teardown cost), a log
# line every iteration.
FAST_CFG_OPTIONS = (
    'train_cfg.max_epochs=1',
    'train_dataloader.batch_size=16',
    'train_dataloader.dataset.indices=64',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'val_dataloader.batch_size=32',
    'val_dataloader.dataset.indices=32',
    'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'test_dataloader.batch_size=32',
    'test_dataloader.dataset.indices=32',
    'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
    'default_hooks.logger.interval=1',
)

# In-process imports of ``adautomix_mm`` (the ``pytest`` script does not put
# the working directory on sys.path), and of the shared test modules by
# name: ``helpers.<module>`` (tests/helpers/) and ``fixtures.<...>``. The test
# folders mirror the package; their files have distinct basenames, as
# pytest's default import mode needs.
for _path in (REPO_ROOT, TESTS_DIR):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# Model bases inherit `mmpretrain::_base_/models/...`; for each such base
# MMEngine 0.10.7 re-reads mmpretrain's whole model index (about 100 YAML
# metafiles) before falling back to the base path, seconds per
# Config.fromfile. The files do not change during a test session: read
# each once (in-process tests only; subprocesses load a config or two).
import functools  # noqa: E402

import mmengine.config.utils as _mmengine_config_utils  # noqa: E402

_mmengine_config_utils.load = functools.lru_cache(maxsize=None)(
    _mmengine_config_utils.load)


def free_port() -> int:
    """A TCP port that was free a moment ago (for torchrun's rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def make_env(pythonpath: Iterable = (REPO_ROOT, ),
             omp_threads: Optional[int] = None,
             **extra: str) -> Dict[str, str]:
    """Environment for a subprocess: CPU only, explicit ``PYTHONPATH``.

    ``pythonpath`` replaces any inherited value, so a test decides exactly
    where ``adautomix_mm`` comes from. ``omp_threads=1`` is what torchrun
    would set per rank anyway (set here to keep its warning out of the log
    and the two ranks from oversubscribing the cores).
    """
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(str(p) for p in pythonpath)
    env['CUDA_VISIBLE_DEVICES'] = ''
    env['PYTHONUNBUFFERED'] = '1'
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env.pop('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', None)
    env.pop('TORCH_FORCE_WEIGHTS_ONLY_LOAD', None)
    for name in ('RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'MASTER_ADDR',
                 'MASTER_PORT'):
        env.pop(name, None)
    if omp_threads is not None:
        env['OMP_NUM_THREADS'] = str(omp_threads)
        env['MKL_NUM_THREADS'] = str(omp_threads)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _tail(text: str, limit: int = 12000) -> str:
    return text if len(text) <= limit else '...\n' + text[-limit:]


def run_cmd(cmd: Sequence, *, env: Optional[Dict[str, str]] = None,
            cwd=None, timeout: float = 240, check: bool = True,
            log_file: Optional[Path] = None) -> subprocess.CompletedProcess:
    """Run ``cmd``; stdout and stderr together in ``.stdout``.

    ``check=True`` fails the test on a non-zero exit, printing the command
    and the tail of its output; ``check=False`` returns whatever happened.
    A command past ``timeout`` is killed with its whole process group
    (torchrun's ranks included) and fails the test. ``.duration`` holds the
    wall time in seconds.
    """
    cmd = [str(c) for c in cmd]
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd, env=env if env is not None else make_env(),
        cwd=str(cwd) if cwd is not None else None,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f'timed out after {timeout}s: {" ".join(cmd)}\n'
                    f'{_tail(out or "")}', pytrace=False)
    result = subprocess.CompletedProcess(cmd, proc.returncode, out, None)
    result.duration = time.monotonic() - start
    if log_file is not None:
        Path(log_file).write_text(out)
    if check and proc.returncode != 0:
        pytest.fail(f'exit code {proc.returncode} '
                    f'({result.duration:.1f}s): {" ".join(cmd)}\n'
                    f'{_tail(out)}', pytrace=False)
    return result


def train_log(work_dir) -> str:
    """Text of the (single) MMEngine log file under ``work_dir``."""
    logs = sorted(Path(work_dir).glob('*/*.log'))
    assert logs, f'no log file under {work_dir}: ' \
        f'{sorted(str(p) for p in Path(work_dir).rglob("*"))}'
    return '\n'.join(p.read_text() for p in logs)


def cfg_options(*extra: str, base: Iterable[str] = FAST_CFG_OPTIONS) -> List[str]:
    """``['--cfg-options', ...]`` with the fast defaults, then ``extra``.

    Later keys win, so ``extra`` can override a default.
    """
    merged: Dict[str, str] = {}
    for item in list(base) + list(extra):
        key, value = item.split('=', 1)
        merged[key] = value
    return ['--cfg-options'] + [f'{k}={v}' for k, v in merged.items()]


def load_file(path):
    """The Python file ``path`` imported as a module named after it (for
    scripts outside the package, e.g. ``benchmarks/*.py``)."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_helper(name: str):
    """The module ``tests/helpers/<name>.py``, imported by file path (the
    tests folder is not a package)."""
    return load_file(HELPERS_DIR / f'{name}.py')


def assert_ranks_in_sync(work_dir, min_changed: float = 0.9):
    """Check the ``RankStateDumpHook`` dumps under ``work_dir``: on every
    rank training changed at least ``min_changed`` of the parameters (so the
    check is not vacuous), and all ranks hold identical parameters before
    and after training. Returns the ``(init, final)`` dumps."""
    dump = load_helper('ddp_state_dump')
    init = dump.load_rank_states(str(work_dir), 'init')
    final = dump.load_rank_states(str(work_dir), 'final')
    for d_init, d_final in zip(init, final):
        changed = dump.changed_tensors(d_init['params'], d_final['params'])
        assert len(changed) >= min_changed * len(d_final['params']), changed
    assert dump.compare_rank_states(init) == []
    assert dump.compare_rank_states(final) == []
    return init, final


class E2E:
    """The helpers above, as one fixture (``e2e.run_cmd(...)`` etc.).

    Tests use the fixture rather than ``from conftest import ...``, which
    would depend on how pytest puts ``tests/`` on ``sys.path``.
    """
    repo_root = REPO_ROOT
    helpers_dir = HELPERS_DIR
    test_configs_dir = TEST_CONFIGS_DIR
    vanilla_cfg = VANILLA_CFG
    fast_cfg_options = FAST_CFG_OPTIONS
    free_port = staticmethod(free_port)
    make_env = staticmethod(make_env)
    run_cmd = staticmethod(run_cmd)
    train_log = staticmethod(train_log)
    cfg_options = staticmethod(cfg_options)
    load_helper = staticmethod(load_helper)
    assert_ranks_in_sync = staticmethod(assert_ranks_in_sync)


@pytest.fixture(scope='session')
def e2e() -> E2E:
    return E2E()


@pytest.fixture(scope='module')
def one_thread():
    """One intra-op thread for a module of tiny training steps: with two, a
    busy 2-core machine spends most of its time in OpenMP spin-waits
    (measured: 10x slower). Use as ``pytestmark =
    pytest.mark.usefixtures('one_thread')``."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope='session')
def vanilla_cfg() -> Path:
    """The real vanilla baseline config; missing is a failure, not a skip."""
    assert VANILLA_CFG.is_file(), f'{VANILLA_CFG_REL} is missing'
    return VANILLA_CFG


@pytest.fixture
def work_dir(tmp_path) -> Path:
    path = tmp_path / 'work_dir'
    path.mkdir()
    return path


@pytest.fixture(scope='session')
def python_exe() -> str:
    return sys.executable


@pytest.fixture(scope='session')
def torchrun_exe() -> List[str]:
    """torchrun of this interpreter (``python -m torch.distributed.run``)."""
    return [sys.executable, '-m', 'torch.distributed.run']


@pytest.fixture(scope='session')
def mim_exe() -> str:
    exe = BIN_DIR / 'mim'
    assert exe.is_file(), f'mim not found next to {sys.executable}'
    return str(exe)


def _copy_source_tree(repo_root: Path, dst: Path) -> None:
    """Tracked plus untracked-but-not-ignored files (what a commit holds)."""
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


@pytest.fixture(scope='session')
def installed(tmp_path_factory, e2e):
    """The package's wheel, built once per session from a copy of the
    repository's files and ``pip install --no-deps --target``-ed into a temp
    dir: ``site`` (put only it on PYTHONPATH), ``cwd`` (a directory outside
    the source tree to run commands from), ``wheel``, ``src``."""
    if shutil.which('git') is None:
        pytest.skip('git is needed to list the repository files')
    root = tmp_path_factory.mktemp('install')
    src, dist, site = root / 'src', root / 'dist', root / 'site'
    _copy_source_tree(e2e.repo_root, src)
    e2e.run_cmd([sys.executable, '-m', 'build', '--wheel', '--no-isolation',
                 '--outdir', dist, src], env=e2e.make_env(pythonpath=[]),
                cwd=root, timeout=180)
    wheels = sorted(dist.glob('adautomix_mm-*.whl'))
    assert len(wheels) == 1, wheels
    e2e.run_cmd([sys.executable, '-m', 'pip', 'install', '--no-deps',
                 '--no-index', '--target', site, wheels[0]],
                env=e2e.make_env(pythonpath=[]), cwd=root, timeout=180)
    cwd = root / 'cwd'
    cwd.mkdir()
    return dict(wheel=wheels[0], site=site, cwd=cwd, src=src)
