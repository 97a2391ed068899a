"""Where a recipe of this package lives, to inherit it from a config of your
own (MMEngine 0.10.7 accepts ``pkg::`` bases only for OpenMMLab's packages)::

    python -m adautomix_mm.cli.config_path adautomix_resnet18_1xb100-800e_cifar100
    python -m adautomix_mm.cli.config_path adautomix_resnet18_1xb100-800e_cifar100 \\
        --new my_config.py   # writes `_base_ = ['<that path>']` to my_config.py

A name is a recipe's file name (with or without ``.py``) or its path under
``configs/`` (``_base_/models/cutmix.py``). Installed packages read the
configs shipped in ``adautomix_mm/.mim/configs``, a checkout its ``configs/``.
"""
import argparse
import difflib
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def config_root() -> Path:
    """``adautomix_mm/.mim/configs`` when installed, else the checkout's."""
    for root in (PACKAGE / '.mim' / 'configs', PACKAGE.parent / 'configs'):
        if root.is_dir():
            return root
    raise FileNotFoundError(
        f'no configs/ beside {PACKAGE} (neither .mim/configs nor ../configs)')


def recipe_path(name: str) -> Path:
    """The absolute path of the recipe (or base) called ``name``."""
    root = config_root()
    name = name if name.endswith('.py') else name + '.py'
    direct = root / name
    if '/' in name and direct.is_file():
        return direct.resolve()
    found = [p for p in root.rglob(Path(name).name)
             if '_base_' not in p.relative_to(root).parts]
    if len(found) == 1:
        return found[0].resolve()
    if len(found) > 1:
        rels = sorted(p.relative_to(root).as_posix() for p in found)
        raise ValueError(f'{name!r} is ambiguous: {rels}; give the path '
                         'under configs/')
    stems = sorted(p.stem for p in root.rglob('*.py'))
    close = difflib.get_close_matches(Path(name).stem, stems, n=3)
    hint = f'; did you mean {close}?' if close else ''
    raise ValueError(f'no config {name!r} under {root}{hint}')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('name', help='recipe file name or path under configs/')
    parser.add_argument('--new', type=Path, default=None, metavar='FILE',
                        help='write a config inheriting the recipe to FILE '
                             '(refuses to overwrite)')
    args = parser.parse_args(argv)
    try:
        path = recipe_path(args.name)
    except ValueError as err:
        parser.error(str(err))
    if args.new is None:
        print(path)
        return 0
    if args.new.exists():
        parser.error(f'{args.new} exists; not overwritten')
    args.new.write_text(
        f'# Inherits {path.stem} (python -m adautomix_mm.cli.config_path).\n'
        f"_base_ = ['{path.as_posix()}']\n")
    print(args.new)
    return 0


if __name__ == '__main__':
    sys.exit(main())
