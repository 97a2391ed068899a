"""MMPretrain's own ``tools/train.py`` and ``tools/test.py`` logic, reused.

The package's entry points run MMPretrain's scripts' ``parse_args`` parser
and ``merge_args`` (shipped in the installed ``mmpretrain/.mim/tools/``, the
files ``mim train mmpretrain`` runs), so every option of those scripts
(``--tta``, ``--show-dir``, ``--out-item``, ...) behaves exactly as there;
this package only adds its own options and fixes around them.

The scripts are not importable modules (``mmpretrain.tools`` does not
exist), hence the load from the file. Their ``parse_args()`` builds its
parser and parses ``sys.argv`` in one function; :func:`tool_parser` stops it
at the parse to take the parser itself, so options can be added and any
``argv`` parsed.
"""
import argparse
import importlib.util
import os.path as osp
from types import ModuleType
from unittest import mock

from mmengine.registry import RUNNERS
from mmengine.runner import Runner

_MODULES = {}


def tool_path(name: str) -> str:
    import mmpretrain
    path = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools',
                    f'{name}.py')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f"mmpretrain's tools/{name}.py is not at {path}: this package's "
            'entry points run its logic; reinstall mmpretrain from a wheel or '
            'with `pip install -e` (both ship `.mim/tools`).')
    return path


def load_tool(name: str) -> ModuleType:
    """MMPretrain's ``tools/<name>.py`` as a module (loaded once)."""
    if name not in _MODULES:
        spec = importlib.util.spec_from_file_location(
            f'_mmpretrain_tools_{name}', tool_path(name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[name] = module
    return _MODULES[name]


class _Parser(Exception):

    def __init__(self, parser):
        super().__init__()
        self.parser = parser


def tool_parser(name: str) -> argparse.ArgumentParser:
    """The parser MMPretrain's ``tools/<name>.py`` ``parse_args()`` builds."""

    def capture(self, args=None, namespace=None):
        raise _Parser(self)

    with mock.patch.object(argparse.ArgumentParser, 'parse_args', capture):
        try:
            load_tool(name).parse_args()
        except _Parser as found:
            return found.parser
    raise RuntimeError(f"mmpretrain's tools/{name}.py parse_args() did not "
                       'parse any arguments')


def set_help(parser: argparse.ArgumentParser, dest: str, text: str) -> None:
    for action in parser._actions:
        if action.dest == dest:
            action.help = text
            return
    raise KeyError(f'no option {dest!r} in the parser')


def merge_args(name: str, cfg, args: argparse.Namespace, **overrides):
    """MMPretrain's ``merge_args(cfg, args)`` of ``tools/<name>.py``, with
    ``overrides`` replacing some of ``args`` (the options this package
    applies itself)."""
    merged = argparse.Namespace(**dict(vars(args), **overrides))
    return load_tool(name).merge_args(cfg, merged)


def build_runner(cfg):
    """As MMPretrain's scripts: ``runner_type`` from the registry, else
    MMEngine's ``Runner``."""
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
