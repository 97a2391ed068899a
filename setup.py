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


# Only what a user of the package needs at run time, as open ranges: exact
# versions measured together live in requirements/constraints.txt, which
# `make install` applies (`pip install -c requirements/constraints.txt`).
INSTALL_REQUIRES = [
    # compat/checkpoint.py loads checkpoints through
    # torch.serialization.safe_globals with (callable, name) entries, an API
    # of PyTorch 2.6 (2.4 has no safe_globals). Measured: 2.14.1 only.
    'torch>=2.6',
    'torchvision>=0.21',  # the release built for the installed torch
    'mmengine>=0.10.0,<1.0',
    'mmpretrain>=1.2.0,<2.0',
    'numpy',
    # MixedSampleVisualizationHook (in the demo and Fashion-MNIST configs)
    # draws its grids with matplotlib; tools/compare.py plots the curves.
    'matplotlib',
    # CorruptionAccuracy (JPEG corruption) uses PIL. Its disk blur imports
    # cv2, which comes with mmengine's own `opencv-python` requirement.
    'Pillow',
]

# pkg_resources, which setuptools 82 removed ("No module named
# 'pkg_resources'"; <81 is the range measured to work), is imported at run
# time by `mim` (module level) and by MMEngine's Config when a config inherits
# a `pkg::` base: the model bases of this package inherit
# `mmpretrain::_base_/models/...`, so the bound is a run-time requirement
# (tests/test_packaging.py checks that it is exactly while such a base exists).
SETUPTOOLS_REQUIRE = 'setuptools>=77.0.3,<81'
INSTALL_REQUIRES.append(SETUPTOOLS_REQUIRE)
MIM_REQUIRES = ['openmim>=0.3.9', SETUPTOOLS_REQUIRE]

EXTRAS_REQUIRE = {
    # mmcv is an extra, not a hard requirement: a GPU user who already has
    # the compiled ``mmcv`` must not get ``mmcv-lite`` installed over it
    # (both provide the ``mmcv`` module). mmpretrain imports only
    # mmcv.cnn/.transforms/.image, so the pure-Python mmcv-lite is enough on
    # CPU (mmpretrain checks 2.0 <= mmcv < 2.4).
    'lite': ['mmcv-lite>=2.0.0,<2.4'],
    'full': ['mmcv>=2.0.0,<2.4'],
    # `mim train adautomix_mm CFG` / `mim run adautomix_mm compare`.
    'mim': MIM_REQUIRES,
    # The end-to-end tests build a wheel and run `mim train`.
    # markdown-it-py: tests parse compare.md as Markdown.
    'tests': ['pytest>=7', 'hypothesis>=6', 'build', 'wheel',
              'markdown-it-py>=3'] + MIM_REQUIRES,
    # PuzzleMix / Co-Mixup graph cuts (compiled GCO; prebuilt wheels for
    # Linux x86-64). `make install` installs `.[lite,mim,tests,gco]`.
    'gco': ['gco-wrapper>=3.0.9,<3.1'],
}

with open(os.path.join(HERE, 'README.md'), encoding='utf-8') as f:
    LONG_DESCRIPTION = f.read()

setup(
    name='adautomix_mm',
    version=read_version(),
    description='Learned mixup (AdAutoMix, AutoMix) and mixup baselines '
    'for MMPretrain 1.x / MMEngine',
    long_description=LONG_DESCRIPTION,
    long_description_content_type='text/markdown',
    author='The adautomix_mm Authors',
    license='Apache-2.0',
    # No public repository of this package exists yet, so no `url`; the
    # links name the papers' official code this package follows.
    project_urls={
        'AdAutoMix paper': 'https://arxiv.org/abs/2312.11954',
        'AdAutoMix official code':
        'https://github.com/JinXins/Adversarial-AutoMixup',
        'AutoMix paper': 'https://arxiv.org/abs/2103.13027',
        'AutoMix official code': 'https://github.com/Westlake-AI/openmixup',
        'MMPretrain': 'https://github.com/open-mmlab/mmpretrain',
    },
    keywords='mixup, data augmentation, image classification, mmpretrain, '
    'openmmlab',
    classifiers=[
        'Development Status :: 3 - Alpha',
        'Intended Audience :: Science/Research',
        'Intended Audience :: Developers',
        'Operating System :: OS Independent',
        'Programming Language :: Python :: 3',
        # The only version the package has been run and tested on.
        'Programming Language :: Python :: 3.11',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
        'Topic :: Scientific/Engineering :: Image Recognition',
    ],
    python_requires='>=3.8',
    # datasets/embedded holds only data files (no __init__.py); naming it
    # keeps setuptools from warning that it would ignore it.
    packages=find_packages(include=['adautomix_mm', 'adautomix_mm.*'])
    + ['adautomix_mm.datasets.embedded'],
    include_package_data=True,
    package_data={'adautomix_mm': ['datasets/embedded/*']},
    cmdclass={'build_py': BuildPyWithMim},
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
)
