"""What the package declares to pip: ``setup()``'s arguments, read by running
setup.py with ``setuptools.setup`` replaced (no build, nothing written).

The rules: run-time requirements are open ranges (exact pins
belong to requirements/constraints.txt); openmim and the setuptools cap that
mim needs (``pkg_resources``) are an extra, not run-time requirements; every
third-party module the package imports is declared, comes with a declared
requirement, or is an extra imported lazily with a message naming it.
"""
import ast
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import setuptools

packaging_requirements = pytest.importorskip('packaging.requirements')

REPO = Path(__file__).resolve().parents[2]

# Imported by the package but not declared by name, with the reason.
PROVIDED_BY = {
    'cv2': 'mmengine',        # mmengine requires opencv-python
    'mmcv': 'extra',          # [lite] (mmcv-lite) or [full] (compiled mmcv)
    'gco': 'extra',           # [gco], imported lazily (require_gco)
}
# Import name -> distribution name where they differ.
DIST_OF = {'PIL': 'pillow'}


@pytest.fixture(scope='module')
def setup_kwargs():
    captured = {}

    def fake_setup(**kwargs):
        captured.update(kwargs)

    orig = setuptools.setup
    setuptools.setup = fake_setup
    try:
        runpy.run_path(str(REPO / 'setup.py'), run_name='__main__')
    finally:
        setuptools.setup = orig
    assert captured, 'setup.py did not call setuptools.setup'
    return captured


def _reqs(specs):
    return {r.name.lower(): r for r in
            map(packaging_requirements.Requirement, specs)}


def _provides_pkg_resources(req):
    # setuptools 82 removed pkg_resources; 80.9 is measured to have it.
    return (req is not None and not req.specifier.contains('82.0.0')
            and req.specifier.contains('80.9.0'))


def _configs_with_package_bases():
    # `_base_ = 'mmpretrain::...'` or `['...', 'adautomix_mm::...']`
    pattern = re.compile(r'''['"][A-Za-z_][\w]*::''')
    return sorted(str(p.relative_to(REPO))
                  for p in (REPO / 'configs').rglob('*.py')
                  if pattern.search(p.read_text()))


def test_runtime_requirements_are_open_ranges_without_mim(setup_kwargs):
    reqs = _reqs(setup_kwargs['install_requires'])
    for name in ('torch', 'torchvision'):
        ops = {s.operator for s in reqs[name].specifier}
        assert not ops & {'<', '<=', '==', '~=', '==='}, (name, ops)
    assert 'openmim' not in reqs
    for name in ('mmengine', 'mmpretrain', 'matplotlib', 'numpy'):
        assert name in reqs, name


def test_setuptools_cap_at_run_time_exactly_when_configs_need_it(
        setup_kwargs):
    """The setuptools<81 cap is a run-time requirement only while a
    shipped config inherits a `pkg::` base (MMEngine's Config then imports
    pkg_resources, see the next test)."""
    users = _configs_with_package_bases()
    runtime = _reqs(setup_kwargs['install_requires']).get('setuptools')
    if users:
        assert _provides_pkg_resources(runtime), (
            f'{users[:3]} inherit `pkg::` bases, which MMEngine resolves '
            'with pkg_resources: add setuptools<81 to INSTALL_REQUIRES')
    else:
        assert runtime is None, (
            'no config needs pkg_resources: setuptools belongs to the [mim] '
            'extra and requirements/constraints.txt, not to run time')


def test_mmengine_config_needs_pkg_resources_for_package_bases(
        tmp_path, monkeypatch):
    """Why the cap exists: without pkg_resources MMEngine cannot load a
    config with a `mmpretrain::` base. If this starts to pass, the cap can
    go from the run-time requirements."""
    from mmengine.config import Config

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split('.')[0] == 'pkg_resources':
                raise ModuleNotFoundError(
                    "No module named 'pkg_resources'", name=name)

    cfg = tmp_path / 'cfg.py'
    cfg.write_text("_base_ = 'mmpretrain::_base_/models/resnet18.py'\n")
    assert Config.fromfile(str(cfg)).model.type == 'ImageClassifier'
    for name in [m for m in sys.modules
                 if m.split('.')[0] == 'pkg_resources']:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, 'meta_path', [Block()] + sys.meta_path)
    with pytest.raises(ModuleNotFoundError, match='pkg_resources'):
        Config.fromfile(str(cfg))


def test_mim_extra_carries_openmim_and_pkg_resources(setup_kwargs):
    extras = {k: _reqs(v) for k, v in setup_kwargs['extras_require'].items()}
    mim = extras['mim']
    assert 'openmim' in mim
    # mim imports pkg_resources, which setuptools 82 removed.
    assert _provides_pkg_resources(mim.get('setuptools'))
    # The end-to-end tests run `mim train`.
    assert set(mim) <= set(extras['tests'])


def test_make_install_installs_the_mim_extra_its_targets_use():
    makefile = (REPO / 'Makefile').read_text()
    assert '$(BIN)/mim ' in makefile  # make demo runs mim train
    extras = re.findall(r'pip install[^\n]*\\\n[^\n]*"\.\[([a-z,]+)\]"',
                        makefile)
    assert extras, 'no `pip install ".[...]"` line in the Makefile'
    assert all('mim' in e.split(',') for e in extras), extras


def _third_party_imports():
    found = {}
    for path in (REPO / 'adautomix_mm').rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split('.')[0]
                if top != 'adautomix_mm' and \
                        top not in sys.stdlib_module_names:
                    found.setdefault(top, path.relative_to(REPO))
    return found


def test_every_imported_third_party_module_is_declared(setup_kwargs):
    declared = set(_reqs(setup_kwargs['install_requires']))
    extras = {r for v in setup_kwargs['extras_require'].values()
              for r in _reqs(v)}
    imports = _third_party_imports()
    assert {'torch', 'mmpretrain', 'matplotlib'} <= set(imports)
    for module, where in imports.items():
        reason = PROVIDED_BY.get(module)
        if reason == 'extra':
            assert extras, module
            continue
        if reason is not None:
            assert reason in declared, (module, where)
            continue
        dist = DIST_OF.get(module, module).lower()
        assert dist in declared, (
            f'{where} imports {module!r}, which setup.py does not declare')


def test_gco_extra_names_the_package_the_error_message_names(setup_kwargs):
    from adautomix_mm.models.utils.graphcut import GCO_PACKAGE
    gco = _reqs(setup_kwargs['extras_require']['gco'])['gco-wrapper']
    assert gco.specifier.contains(GCO_PACKAGE.split('==')[1])


@pytest.mark.slow
def test_sdist_builds_the_same_wheel_as_the_tree(tmp_path, e2e):
    """The sdist holds everything a wheel needs: a wheel built from the
    unpacked sdist has the same files as one built from the repository's
    files (``.mim/tools``, ``.mim/configs`` with any metafiles or READMEs,
    the embedded data), so ``pip install adautomix_mm-X.tar.gz`` gives a
    package ``mim`` can use."""
    import shutil
    import tarfile
    import zipfile
    if shutil.which('git') is None:
        pytest.skip('git is needed to list the repository files')
    src = tmp_path / 'src'
    files = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=REPO, check=True, capture_output=True).stdout.split(b'\0')
    for rel in filter(None, (f.decode() for f in files)):
        if (REPO / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, src / rel)
    env = e2e.make_env(pythonpath=[])

    def build(kind, source, out):
        e2e.run_cmd([sys.executable, '-m', 'build', f'--{kind}',
                     '--no-isolation', '--outdir', out, source],
                    env=env, cwd=tmp_path, timeout=180)
        return sorted(Path(out).glob('adautomix_mm-*'))

    (sdist, ) = build('sdist', src, tmp_path / 'sdist')
    (from_tree, ) = build('wheel', src, tmp_path / 'wheel_tree')
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path / 'unpacked', filter='data')
    (unpacked, ) = (tmp_path / 'unpacked').iterdir()
    (from_sdist, ) = build('wheel', unpacked, tmp_path / 'wheel_sdist')

    def names(wheel):
        with zipfile.ZipFile(wheel) as whl:
            return {n for n in whl.namelist() if '.dist-info/' not in n}

    tree_names = names(from_tree)
    assert 'adautomix_mm/.mim/tools/train.py' in tree_names
    assert names(from_sdist) == tree_names
