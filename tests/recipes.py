"""Recipes as the config tests compare them: the loaded config without the
helper variables that the model bases define for the recipes to reference
(``soft_ce_head``, ``cutmix``, ``ema_online_accuracy``, ...)."""
import ast
from pathlib import Path

from mmengine.config import Config

CONFIG_ROOT = Path(__file__).resolve().parents[1] / 'configs'


def _helper_variables() -> frozenset:
    names = set()
    for path in [*(CONFIG_ROOT / '_base_' / 'models').glob('*.py'),
                 CONFIG_ROOT / '_base_' / 'evaluation' /
                 'ema_online_accuracy.py']:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets
                             if isinstance(t, ast.Name))
    return frozenset(names - {'_base_', 'model', 'custom_hooks'})


HELPER_VARIABLES = _helper_variables()


def load_recipe(path) -> dict:
    cfg = Config.fromfile(str(path)).to_dict()
    return {k: v for k, v in cfg.items() if k not in HELPER_VARIABLES}
