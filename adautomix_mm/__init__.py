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

from . import datasets, engine, evaluation, models, runtime  # noqa: F401,E402
from .version import __version__  # noqa: E402

__all__ = ['__version__']
