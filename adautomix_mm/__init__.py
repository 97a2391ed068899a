"""adautomix_mm: learned mixup augmentation (AdAutoMix, AutoMix) and mixup
baselines as an MMPretrain 1.x / MMEngine plugin.

Importing the package registers every module into mmpretrain's registries
(``MODELS``, ``HOOKS``, ``METRICS``, ``DATASETS``, ...), so configs keep
``default_scope='mmpretrain'`` and only add
``custom_imports=dict(imports=['adautomix_mm'], allow_failed_imports=False)``.
"""
try:
    import mmcv  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'adautomix_mm needs mmcv 2.x: install the compiled `mmcv` (GPU) or '
        'the pure-Python `mmcv-lite` (`pip install "adautomix_mm[lite]"`).'
    ) from exc

import warnings  # noqa: E402

with warnings.catch_warnings():
    # mmpretrain's model package imports mmcv's transformer bricks, which
    # warn under mmcv-lite (the [lite] extra) that a compiled op is missing;
    # no module of this package uses that op.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``',
        category=UserWarning)
    from . import datasets, engine, evaluation, models  # noqa: F401,E402
from .version import __version__  # noqa: E402

__all__ = ['__version__']
