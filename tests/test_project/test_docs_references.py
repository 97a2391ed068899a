"""Every config, script and link the user-facing docs name exists.

Scans README.md, docs/*.md, benchmarks/README.md, configs/**/README.md, the
Makefile and CHANGELOG.md's ``Unreleased`` section for

* config file names (``<method>_....py`` where ``<method>`` is a folder of
  ``configs/``): each must resolve under ``configs/`` by basename, as
  ``mim train adautomix_mm NAME`` resolves it;
* repository paths (``configs/...``, ``tools/*.py``, ``benchmarks/...``,
  ``tests/*.py``, ``docs/*.md``, ``requirements/...``,
  ``adautomix_mm/...``): each must exist;
* relative Markdown links ``[text](target#anchor)``: the target must exist
  and, for a Markdown target, the anchor must be one of its headings
  (GitHub's slugs);
* ``--flags`` written after ``tools/{train,test,compare,export_network}.py``
  or ``mim train|test adautomix_mm``: each must be an option of that tool.

Historical records (benchmarks/results/, CHANGELOG's released entries) keep
the names of their time and are not scanned.
"""
import re
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIGS = REPO_ROOT / 'configs'

# Paths of other repositories that the docs cite (OpenMixup's config tree
# and benchmark pages), not files of this one.
_FOREIGN_PATHS = ('configs/classification/', 'docs/en/')
# Paths shown as templates or placeholders, not files.
_PLACEHOLDER = re.compile(r'[*{}<>]|\bCFG\b|\bNAME\b|\bX\b')
_REPO_PATH = re.compile(
    r'(?<![\w./-])((?:configs|tools|benchmarks|tests|docs|requirements'
    r'|adautomix_mm)/[\w./{},*<>-]*[\w/])')
_MD_LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
_PY_TOKEN = re.compile(r'(?<![\w./-])([\w][\w.-]*\.py)\b')


def doc_files() -> List[Path]:
    files = [REPO_ROOT / 'README.md', REPO_ROOT / 'benchmarks' / 'README.md',
             REPO_ROOT / 'Makefile', REPO_ROOT / 'CHANGELOG.md']
    files += sorted((REPO_ROOT / 'docs').glob('*.md'))
    files += sorted(CONFIGS.glob('**/README.md'))
    return [f for f in files if f.is_file()]


def doc_text(path: Path) -> str:
    text = path.read_text(encoding='utf-8')
    if path.name == 'CHANGELOG.md':
        # Only the Unreleased section: released entries are records.
        match = re.search(r'^## Unreleased\n(.*?)(?=^## )', text + '\n## ',
                          re.S | re.M)
        text = match.group(1) if match else ''
    return text


def config_basenames() -> Dict[str, Path]:
    return {p.name: p for p in CONFIGS.glob('**/*.py')}


def method_prefixes() -> Set[str]:
    """``adautomix``, ``automix``, ``samix``, ``vanilla``, ``mixup``, ..."""
    folders = [p for p in CONFIGS.iterdir() if p.is_dir()]
    folders += [p for p in (CONFIGS / 'baselines').iterdir() if p.is_dir()]
    return {p.name for p in folders
            if not p.name.startswith('_') and p.name != 'baselines'}


def script_basenames() -> Set[str]:
    """Python files outside configs/ (e.g. benchmarks/comixup_solver.py)."""
    return {p.name for d in ('tools', 'benchmarks', 'tests', 'adautomix_mm')
            for p in (REPO_ROOT / d).glob('**/*.py')}


def config_names_in(text: str, prefixes: Iterable[str]) -> Set[str]:
    """``<method>_*.py`` tokens; a rename record ``old.py -> new.py`` (the
    changelog's) names the old file on purpose and is skipped."""
    text = re.sub(r'[\w.-]+\.py`?\s*(?:->|→)', '', text)
    pattern = re.compile(r'^(?:%s)_' % '|'.join(sorted(prefixes)))
    scripts = script_basenames()
    return {tok for tok in _PY_TOKEN.findall(text)
            if pattern.match(tok) and not _PLACEHOLDER.search(tok)
            and tok not in scripts}


def repo_paths_in(text: str) -> Set[str]:
    paths = {p.rstrip('.') for p in _REPO_PATH.findall(text)}
    return {p for p in paths
            if not _PLACEHOLDER.search(p) and '/.mim' not in p
            and not p.startswith(_FOREIGN_PATHS)}


def github_slug(heading: str) -> str:
    heading = re.sub(r'[`*_]|\[([^\]]*)\]\([^)]*\)', r'\1', heading)
    slug = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return slug.replace(' ', '-')


def anchors_of(path: Path) -> Set[str]:
    text = path.read_text(encoding='utf-8')
    text = re.sub(r'^```.*?^```', '', text, flags=re.S | re.M)
    anchors, seen = set(), {}
    for heading in re.findall(r'^#{1,6}\s+(.+?)\s*#*$', text, re.M):
        slug = github_slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f'{slug}-{count}')
    return anchors


def md_links_in(text: str) -> Set[str]:
    return {t for t in _MD_LINK.findall(text)
            if not re.match(r'[a-z][a-z0-9+.-]*:', t)}


def broken_references(path: Path, text: str) -> List[str]:
    """Human-readable list of what ``text`` (from ``path``) names but lacks."""
    problems = []
    basenames = config_basenames()
    for name in sorted(config_names_in(text, method_prefixes())):
        if name not in basenames:
            problems.append(f'config {name!r} not under configs/')
    for rel in sorted(repo_paths_in(text)):
        if not (REPO_ROOT / rel).exists():
            problems.append(f'path {rel!r} does not exist')
    for link in sorted(md_links_in(text)):
        target, _, anchor = link.partition('#')
        dest = (path.parent / target).resolve() if target else path
        if not dest.exists():
            problems.append(f'link {link!r}: {target} does not exist')
        elif (anchor and dest.suffix == '.md'
              and anchor not in anchors_of(dest)):
            problems.append(f'link {link!r}: no heading #{anchor} in '
                            f'{dest.relative_to(REPO_ROOT)}')
    return problems


@pytest.mark.parametrize(
    'path', doc_files(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_documented_references_exist(path):
    problems = broken_references(path, doc_text(path))
    assert not problems, f'{path.relative_to(REPO_ROOT)}: ' + '; '.join(
        problems)


def test_scanner_catches_stale_and_missing_names():
    """The scanner flags an old config name, a missing script, a dead link
    and a dead anchor, and accepts their live counterparts."""
    readme = REPO_ROOT / 'README.md'
    stale = ('mim train adautomix_mm adautomix_r18w16_fmnist-embedded.py\n'
             'mim train adautomix_mm adautomix_r18_cifar100_800e.py\n'
             'python tools/no_such_tool.py\n'
             'see configs/adautomix/adautomix_r18_cifar100_800e.py\n'
             '[x](docs/no_such_page.md) '
             '[y](docs/inference.md#no-such-heading)\n')
    problems = broken_references(readme, stale)
    joined = '\n'.join(problems)
    for needle in ("'adautomix_r18w16_fmnist-embedded.py'",
                   "'adautomix_r18_cifar100_800e.py'", 'tools/no_such_tool.py',
                   'configs/adautomix/adautomix_r18_cifar100_800e.py',
                   'docs/no_such_page.md', '#no-such-heading'):
        assert needle in joined
    live = ('mim train adautomix_mm '
            'adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py\n'
            'python tools/train.py configs/samix/'
            'samix_resnet18_1xb100-800e_cifar100.py\n'
            '[x](docs/inference.md#test-options)\n'
            'python tools/train.py CFG; configs/baselines/{mixup,cutmix}/\n'
            '`*_resnet18-w16_1xb64-5e_fmnist.py`, `comixup_solver.py`\n'
            '`adautomix_r18_cifar100_800e.py` -> '
            '`adautomix_resnet18_1xb100-800e_cifar100.py`\n')
    assert broken_references(readme, live) == []


def test_scanner_sees_the_demo_config():
    """Guard against a scanner that silently matches nothing."""
    text = doc_text(REPO_ROOT / 'README.md')
    assert ('adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'
            in config_names_in(text, method_prefixes()))
    assert 'tools/compare.py' in repo_paths_in(text)
    assert 'docs/inference.md' in md_links_in(text)


# Options that `mim train/test` consumes itself before calling the script.
_MIM_OPTIONS = {'--gpus', '--gpus-per-node', '--cpus-per-task', '--partition',
                '--srun-args', '--launcher', '--port', '--checkpoint', '-y',
                '--yes'}
_DOCUMENTED_TOOLS = ('train', 'test', 'compare', 'export_network')
_COMMAND = re.compile(
    r'(?:tools/(%s)\.py|mim (train|test) adautomix_mm)([^`|#\n]*)'
    % '|'.join(_DOCUMENTED_TOOLS))


def documented_flags(text: str) -> List[Tuple[str, str]]:
    """``(tool, --flag)`` for every flag written after a documented
    ``tools/<tool>.py`` or ``mim train|test adautomix_mm`` command."""
    text = text.replace('\\\n', ' ')
    found = []
    for tool, mim_cmd, rest in _COMMAND.findall(text):
        for flag in re.findall(r'(?<![\w-])--[a-z][\w-]*', rest):
            if mim_cmd and flag in _MIM_OPTIONS:
                continue
            found.append((tool or mim_cmd, flag))
    return found


def tool_options(tool: str, capsys) -> Set[str]:
    import importlib
    module = importlib.import_module(f'adautomix_mm.runtime.cli.{tool}')
    with pytest.raises(SystemExit):
        module.parse_args(['-h'])
    return set(re.findall(r'--[a-z][\w-]*', capsys.readouterr().out))


def test_documented_flags_are_options_of_their_tool(capsys):
    """Each ``--flag`` the docs write after ``tools/<tool>.py`` (or ``mim
    train/test adautomix_mm``) is an option of that tool's parser."""
    options = {tool: tool_options(tool, capsys) for tool in _DOCUMENTED_TOOLS}
    assert {'--cfg-options', '--trust-checkpoint'} <= options['train']
    problems, seen = [], 0
    for path in doc_files():
        for tool, flag in documented_flags(doc_text(path)):
            seen += 1
            if flag not in options[tool]:
                problems.append(f'{path.relative_to(REPO_ROOT)}: tools/'
                                f'{tool}.py has no {flag}')
    assert seen > 10, 'the scanner found (almost) no documented flags'
    assert not problems, '\n'.join(problems)
    # The scanner reads continuation lines and flags a missing option.
    bad = documented_flags('python tools/export_network.py A B \\\n'
                           '    --network online --no-such-flag\n'
                           'mim train adautomix_mm X.py --gpus 2 --amp\n')
    assert bad == [('export_network', '--network'),
                   ('export_network', '--no-such-flag'), ('train', '--amp')]
    assert '--no-such-flag' not in options['export_network']


# `type=` names the docs quote from the reference code (OpenMixup), not
# registered here.
_REFERENCE_ONLY_TYPES = {'ClsMixupHead'}


def registered_type_names() -> Set[str]:
    import mmengine.registry as engine_registry
    import mmpretrain.registry as pretrain_registry

    import adautomix_mm  # noqa: F401  (registers the package's modules)
    from mmpretrain.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    names = set()
    for module in (engine_registry, pretrain_registry):
        for value in vars(module).values():
            if isinstance(value, engine_registry.Registry):
                names |= set(value.module_dict)
    return names


def test_documented_type_names_are_registered():
    """Every ``type='X'`` in the docs is a registered MMEngine/MMPretrain
    name (this package's or the libraries')."""
    names = registered_type_names()
    assert {'AdAutoMix', 'NetworkAccuracy', 'Mixup', 'EMAHook'} <= names
    problems = []
    for path in doc_files():
        for name in sorted(set(re.findall(r"(?<!\w)type='(\w+)'",
                                         doc_text(path)))):
            if name not in names and name not in _REFERENCE_ONLY_TYPES:
                problems.append(f'{path.relative_to(REPO_ROOT)}: {name}')
    assert not problems, 'unregistered type names: ' + ', '.join(problems)


def test_doc_examples_do_not_write_into_the_demo_work_dir():
    """`make demo` deletes its work dir (the Makefile's DEMO_DIR) before it
    trains: no code block of the docs may use it (the inference example's
    files were once wiped by the next `make demo`)."""
    makefile = (REPO_ROOT / 'Makefile').read_text()
    demo = re.search(r'^DEMO_DIR := (\S+)$', makefile, re.M).group(1)
    assert re.search(r'rm -rf \$\(DEMO_DIR\)\n', makefile)
    used = re.compile(re.escape(demo) + r'(?![\w-])')
    pages = [REPO_ROOT / 'README.md'] + sorted((REPO_ROOT / 'docs').glob(
        '*.md'))
    hits = [(p.name, block.strip()[:80]) for p in pages
            for block in re.findall(r'```[^\n]*\n(.*?)```', p.read_text(),
                                    re.S) if used.search(block)]
    assert hits == []
    assert used.search('```\npython x.py --work-dir work_dirs/demo\n```')
