"""Read configs stored by a run without executing them.

MMEngine stores the config of a run as Python text: ``meta['cfg']`` of every
checkpoint and ``<work_dir>/<timestamp>/vis_data/config.py``.
``Config.fromstring``/``Config.fromfile`` *execute* that text (and follow
``_base_`` files and ``custom_imports``), so a file that is only read could
run code. MMEngine dumps a config as assignments of literals
(``Config.pretty_text``: ``name = dict(key=value, ...)``, lists, tuples,
strings, numbers, booleans, None), so :func:`parse_dumped_config` reads
exactly that with :mod:`ast`, executing nothing, and refuses anything else
naming the file, the line and the option that executes it anyway
(``--trust-config``).
"""
import ast
from typing import Any, Optional

from mmengine.config import Config

TRUST_HINT = ('reading it as Python would run that code, so it is refused. '
              'If you trust the file, pass {flag} to execute it.')


class UnsafeConfigError(ValueError):
    """A stored config holds more than assignments of literals."""


def _refuse(source: str, node: ast.AST, what: str, flag: str):
    line = getattr(node, 'lineno', '?')
    raise UnsafeConfigError(
        f'{source}, line {line}: {what} is not part of a dumped config '
        f'(assignments of literals); {TRUST_HINT.format(flag=flag)}')


def _value(node: ast.AST, source: str, flag: str) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_value(n, source, flag) for n in node.elts]
        return {ast.List: list, ast.Tuple: tuple,
                ast.Set: set}[type(node)](items)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            _refuse(source, node, '`**` unpacking', flag)
        return {_value(k, source, flag): _value(v, source, flag)
                for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.UnaryOp) and isinstance(
            node.op, (ast.USub, ast.UAdd)) and isinstance(
                node.operand, ast.Constant) and isinstance(
                    node.operand.value, (int, float, complex)) and \
            not isinstance(node.operand.value, bool):
        value = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == 'dict' and not node.args and \
            all(k.arg is not None for k in node.keywords):
        return {k.arg: _value(k.value, source, flag) for k in node.keywords}
    _refuse(source, node, f'`{ast.unparse(node)[:80]}`', flag)


def parse_dumped_config(text: str, source: str = '<config>',
                        flag: str = '--trust-config') -> dict:
    """The ``{name: value}`` of a dumped config, executing nothing.

    Raises :class:`UnsafeConfigError` (naming ``source`` and the line) for
    any statement other than ``name = <literal>``, where a literal is a
    constant, a list/tuple/set/dict of literals or ``dict(key=literal)``;
    the message names ``flag``, the option that executes the file instead.
    """
    try:
        tree = ast.parse(text, filename=source)
    except SyntaxError as err:
        raise UnsafeConfigError(
            f'{source}: not a dumped config ({err}); pass {flag} to read it '
            'with MMEngine') from err
    out = {}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            _refuse(source, stmt, f'`{ast.unparse(stmt)[:80]}`', flag)
        name = stmt.targets[0].id
        if name == 'dict':
            _refuse(source, stmt, 'redefining `dict`', flag)
        out[name] = _value(stmt.value, source, flag)
    return out


def load_stored_config(text: Optional[str] = None, *,
                       path: Optional[str] = None, source: str = None,
                       trust: bool = False) -> Config:
    """A :class:`Config` from stored config ``text`` or the file ``path``.

    Parsed by :func:`parse_dumped_config` (nothing runs, ``_base_`` and
    ``custom_imports`` stay plain values); with ``trust=True`` executed by
    MMEngine as a config file.
    """
    if (text is None) == (path is None):
        raise ValueError('give exactly one of text and path')
    if path is not None:
        source = source or path
        if trust:
            return Config.fromfile(path)
        with open(path, encoding='utf-8') as f:
            text = f.read()
    source = source or '<config>'
    if trust:
        return Config.fromstring(text, '.py')
    return Config(parse_dumped_config(text, source),
                  filename=path if path is not None else None)


def gpu_ids_only(text: str, source: str) -> str:
    """``meta['config']`` reduced to what ``Runner.resume`` reads from it.

    MMEngine's resume executes ``checkpoint['meta']['config']`` (an old
    key; MMEngine now writes ``meta['cfg']``) only to read ``gpu_ids``.
    Raises :class:`UnsafeConfigError` if the text is not a dumped config.
    """
    gpu_ids = parse_dumped_config(text, source, '--trust-checkpoint').get(
        'gpu_ids', None)
    if gpu_ids is not None and not (
            isinstance(gpu_ids, (list, tuple, range))
            and all(isinstance(i, int) for i in gpu_ids)):
        gpu_ids = None
    return '' if gpu_ids is None else f'gpu_ids = {list(gpu_ids)!r}\n'

