"""Packaging for adautomix_mm.

``mim train adautomix_mm CFG`` looks for ``adautomix_mm/.mim/tools/train.py``
and for the config file under the *installed* package directory, so every
wheel build copies the top-level ``tools/`` and ``configs/`` into
``adautomix_mm/.mim/`` (the role of mmpretrain's ``add_mim_extension``). We do
it in ``build_py`` rather than by sniffing ``sys.argv``, so it also happens in
PEP 517 builds (``pip install .``, ``python -m build``). Editable installs
(PEP 660) are not found by mim at all; use ``python tools/train.py`` there.
"""
import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
MIM_DIRS = ('tools', 'configs')


def read_version():
    scope = {}
    with open(os.path.join(HERE, 'adautomix_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


class BuildPyWithMim(build_py):
    """``build_py`` that also ships ``tools/`` and ``configs/`` under ``.mim``."""

    def run(self):
        super().run()
        mim_root = os.path.join(self.build_lib, 'adautomix_mm', '.mim')
        for name in MIM_DIRS:
            src = os.path.join(HERE, name)
            dst = os.path.join(mim_root, name)
            if os.path.isdir(dst):
                shutil.rmtree(dst)
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        # `mim search adautomix_mm` reads .mim/model-index.yml, which imports
        # the metafile.yml of each method folder (copied with configs/).
        shutil.copy2(os.path.join(HERE, 'model-index.yml'),
                     os.path.join(mim_root, 'model-index.yml'))


setup(
    name='adautomix_mm',
    version=read_version(),
    description='AdAutoMix, AutoMix and mixup baselines for MMPretrain 1.x / '
    'MMEngine',
    long_description=open(os.path.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.8',
    packages=find_packages(include=['adautomix_mm', 'adautomix_mm.*']),
    include_package_data=True,
    package_data={'adautomix_mm': ['datasets/embedded/*']},
    cmdclass={'build_py': BuildPyWithMim},
    install_requires=[
        # Ranges that work here; requirements/constraints.txt pins the
        # measured combination. torchvision must match torch exactly.
        'torch>=2.0,<2.15',
        'torchvision>=0.15,<0.30',
        'mmengine>=0.10.0,<1.0',
        'mmpretrain>=1.2.0,<2.0',
        'openmim>=0.3.9',
        'numpy',
        'matplotlib',
        # mim and mmengine import pkg_resources, removed in setuptools 81+.
        'setuptools>=77.0.3,<81',
    ],
    extras_require={
        # mmcv is an extra, not a hard requirement: a GPU user who already
        # has the compiled ``mmcv`` must not get ``mmcv-lite`` installed over
        # it (both provide the ``mmcv`` module). mmpretrain imports only
        # mmcv.cnn/.transforms/.image, so the pure-Python mmcv-lite is enough
        # on CPU (mmpretrain checks 2.0 <= mmcv < 2.4).
        'lite': ['mmcv-lite>=2.0.0,<2.4'],
        'full': ['mmcv>=2.0.0,<2.4'],
        'tests': ['pytest>=7', 'hypothesis>=6', 'build', 'wheel'],
        # PuzzleMix / Co-Mixup graph cuts (compiled GCO; prebuilt wheels for
        # Linux x86-64). `make install` installs it with `.[lite,tests,gco]`.
        'gco': ['gco-wrapper>=3.0.9,<3.1'],
    },
    entry_points={},
)
