"""The baseline recipes under ``configs/baselines/``: every method folder
holds one recipe per Mixup sibling (``<method>_<sibling>``)."""
from pathlib import Path

from helpers.recipes import load_recipe

CONFIG_ROOT = Path(__file__).resolve().parents[2] / 'configs' / 'baselines'
SIBLINGS = sorted(p.name[len('mixup_'):]
                  for p in (CONFIG_ROOT / 'mixup').glob('mixup_*.py'))


def load(method, sibling) -> dict:
    """The recipe ``<method>_<sibling>`` of ``configs/baselines/<method>/``
    as the config tests compare it (``recipes.load_recipe``)."""
    return load_recipe(CONFIG_ROOT / method / f'{method}_{sibling}')
