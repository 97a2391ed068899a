"""Dump every recipe's resolved config to JSON (one file per config).

Guard for restructuring ``configs/``: dump before and after, then compare::

    python tools/dump_configs.py /tmp/cfg_before
    python tools/dump_configs.py /tmp/cfg_after --compare /tmp/cfg_before

A dump is the loaded ``Config`` as a plain dict. ``--compare`` lists every
difference under a key that the previous dump has; top-level keys that only
the new dump has are the new bases' helper variables (``soft_ce_head``,
``cutmix``, ...; nothing reads them but the recipes that reference them) and
are summarised by name. Exit status 1 if any other difference is found.
"""
import argparse
import functools
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import mmengine.config.utils as _cfg_utils  # noqa: E402
from mmengine.config import Config  # noqa: E402

# MMEngine re-reads mmpretrain's model index per `mmpretrain::` base.
_cfg_utils.load = functools.lru_cache(maxsize=None)(_cfg_utils.load)


def _plain(obj):
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()
                if not callable(v) or isinstance(v, (dict, list, tuple))}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)


def recipes(root: Path):
    return sorted(p for p in (root / 'configs').rglob('*.py')
                  if '_base_' not in p.parts)


def dump(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    dumped = {}
    for path in recipes(REPO):
        rel = path.relative_to(REPO / 'configs').as_posix()
        data = _plain(Config.fromfile(str(path)).to_dict())
        name = rel.replace('/', '__')[:-3] + '.json'
        (out / name).write_text(json.dumps(data, indent=1, sort_keys=True))
        dumped[name] = data
    return dumped


def _diff(a, b, path=''):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                yield f'{path}.{k}: added {b[k]!r}'[:300]
            elif k not in b:
                yield f'{path}.{k}: removed {a[k]!r}'[:300]
            else:
                yield from _diff(a[k], b[k], f'{path}.{k}')
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _diff(x, y, f'{path}[{i}]')
    elif a != b or type(a) is not type(b):
        yield f'{path}: {a!r} -> {b!r}'[:300]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', type=Path)
    parser.add_argument('--compare', type=Path, default=None,
                        help='a previous dump directory')
    args = parser.parse_args()
    after = dump(args.out)
    print(f'dumped {len(after)} configs to {args.out}')
    if args.compare is None:
        return 0
    before = {p.name: json.loads(p.read_text())
              for p in sorted(args.compare.glob('*.json'))}
    status = 0
    helpers = {}
    for name in sorted(set(before) | set(after)):
        if name not in after or name not in before:
            print(f'{name}: only in {"before" if name in before else "after"}')
            status = 1
            continue
        for key in sorted(set(after[name]) - set(before[name])):
            helpers[key] = helpers.get(key, 0) + 1
        new = {k: v for k, v in after[name].items() if k in before[name]}
        lines = list(_diff(before[name], new))
        for line in lines:
            print(f'{name}: {line}')
        status |= bool(lines)
    for key, count in sorted(helpers.items()):
        print(f'helper variable {key!r} added in {count} configs')
    print('identical' if not status else 'differences listed above')
    return status


if __name__ == '__main__':
    sys.exit(main())
