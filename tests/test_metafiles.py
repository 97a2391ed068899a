"""Model index (``mim search``), per-method metafiles and READMEs, config
names, and how a user config inherits a recipe.

* every non-base config is listed in exactly one metafile, and every
  metafile ``Config`` path exists; the metafiles/READMEs/model-index are
  what ``tools/make_metafiles.py`` writes for today's configs;
* every config name follows MMPretrain's ``{algorithm}_{backbone}_{N}xb{B}-
  {E}e_{dataset}.py`` and N, B, E agree with the config itself;
* a user config inherits a recipe by path; the ``adautomix_mm::`` package
  scope is refused by MMEngine 0.10.7 (its list of scopes is fixed), which
  is why the README documents the path form only;
* the model bases that only repeat MMPretrain's inherit them through
  ``mmpretrain::``.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_ROOT = REPO_ROOT / 'configs'
RUNNABLE = sorted(p for p in CONFIG_ROOT.rglob('*.py')
                  if '_base_' not in p.relative_to(CONFIG_ROOT).parts)
NAME = re.compile(r'^(?P<alg>[^_]+)_(?P<backbone>[^_]+)_(?P<gpus>\d+)xb'
                  r'(?P<batch>\d+)(-[^_]+)*?-(?P<epochs>\d+)e_[^_]+$')


def metafiles():
    index = yaml.safe_load((REPO_ROOT / 'model-index.yml').read_text())
    return [REPO_ROOT / rel for rel in index['Import']]


def test_every_config_is_in_one_metafile_and_every_entry_exists():
    listed = {}
    for meta in metafiles():
        assert meta.is_file(), meta
        data = yaml.safe_load(meta.read_text())
        collections = {c['Name'] for c in data['Collections']}
        for model in data['Models']:
            cfg = REPO_ROOT / model['Config']
            assert cfg.is_file(), f'{meta}: {model["Config"]} does not exist'
            assert model['Name'] == cfg.stem
            assert model['In Collection'] in collections
            for key in ('Training Data', 'Epochs', 'Batch Size',
                        'Architecture', 'Method', 'Official Code'):
                assert model['Metadata'].get(key), (model['Name'], key)
            assert cfg not in listed, f'{cfg} listed twice'
            listed[cfg] = meta
    assert set(listed) == set(RUNNABLE), \
        sorted(p.name for p in set(RUNNABLE) ^ set(listed))


def test_results_only_where_this_package_measured_them():
    """The benchmark's twelve Fashion-MNIST configs and the demo's two carry
    Results, naming the network; no other recipe does (published numbers
    are a text field)."""
    with_results = {}
    for meta in metafiles():
        for model in yaml.safe_load(meta.read_text())['Models']:
            if 'Results' in model:
                with_results[model['Name']] = model
    benchmarked = ('adautomix', 'automix', 'vanilla', 'mixup', 'cutmix',
                   'fmix', 'gridmix', 'resizemix', 'saliencymix', 'rmix',
                   'puzzlemix', 'comixup')
    demo = ('adautomix_resnet18-w16_1xb64-5e_fmnist-embedded',
            'vanilla_resnet18-w16_1xb64-5e_fmnist-embedded')
    assert sorted(with_results) == sorted(
        [f'{m}_resnet18-w16_1xb64-5e_fmnist' for m in benchmarked] +
        list(demo))
    results = REPO_ROOT / 'benchmarks' / 'results' / \
        'accuracy_fashion_mnist_6k6e' / 'README.md'
    text = results.read_text()
    readme = (REPO_ROOT / 'README.md').read_text()
    demo_section = readme[readme.index('### The demo'):]
    demo_section = demo_section[:demo_section.index('\n### ')]
    for name, model in with_results.items():
        for metric, value in model['Results'][0]['Metrics'].items():
            assert re.search(r'^Top 1 \((EMA|online|single)\)$', metric), \
                metric
            if name in demo:
                # the README's demo numbers, as written there
                assert 'README.md' in model['Results Note']
                assert f'{value:.1f}' in demo_section, (name, metric, value)
            else:
                # the number is the benchmark's mean, as written there
                assert 'accuracy_fashion_mnist_6k6e' in model['Results Note']
                assert f'| {value:.2f} ± ' in text, (name, metric, value)


def test_mim_search_fields_are_readable():
    """What ``mim search adautomix_mm`` prints: keys short enough that a
    paper URL is not cut at mim's default width of 80 (it pads every key to
    the longest one), no collection's Paper shown as its dict keys, the
    demo recipes not called GPU recipes."""
    from mim.commands.search import convert2df
    from modelindex.load_model_index import load as load_index
    df = convert2df(load_index(str(REPO_ROOT / 'model-index.yml')))
    width = max(len(str(k)) for k in df.columns) + 2
    for name, row in df.iterrows():
        row = row.dropna().to_dict()
        paper = row.get('paper')
        if name.startswith('vanilla_'):
            assert paper is None
        else:
            assert paper.startswith('https://') and \
                width + len(paper) <= 80, (name, paper)
        gpu = 'gpu (reference recipe)' in row['training_resources']
        assert gpu is ('fmnist' not in name), name
    assert width <= 28
def test_metafiles_and_readmes_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / 'tools' / 'make_metafiles.py'),
         '--check'], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, (
        'run python tools/make_metafiles.py:\n' + result.stdout
        + result.stderr)


@pytest.mark.parametrize('path', RUNNABLE, ids=lambda p: p.name)
def test_config_name_matches_its_contents(path):
    m = NAME.match(path.stem)
    assert m, f'{path.name} does not follow MMPretrain\'s naming'
    cfg = Config.fromfile(str(path), import_custom_modules=False)
    batch = cfg.train_dataloader.batch_size
    total = (cfg.get('auto_scale_lr') or {}).get('base_batch_size', batch)
    assert int(m['batch']) == batch
    assert int(m['gpus']) == total // batch
    assert int(m['epochs']) == cfg.train_cfg.max_epochs
    assert m['alg'] == path.parent.name or path.parent.name == 'variants'


@pytest.mark.parametrize('name,mmpretrain_base', [
    ('resnet18.py', 'resnet18.py'), ('resnet34.py', 'resnet34.py'),
    ('resnet50.py', 'resnet50.py'), ('resnext50.py', 'resnext50_32x4d.py'),
    ('resnet18_cifar.py', 'resnet18_cifar.py')])
def test_model_bases_inherit_mmpretrain(name, mmpretrain_base):
    import mmpretrain
    ours = Config.fromfile(str(CONFIG_ROOT / '_base_' / 'models' / name))
    theirs = Config.fromfile(
        str(Path(mmpretrain.__file__).parent / '.mim' / 'configs' / '_base_'
            / 'models' / mmpretrain_base))
    assert f"mmpretrain::_base_/models/{mmpretrain_base}" in \
        (CONFIG_ROOT / '_base_' / 'models' / name).read_text()
    ours_model = ours.model.to_dict()
    assert ours_model.pop('_scope_') == 'mmpretrain'
    if name == 'resnet18_cifar.py':  # the only differences
        assert ours_model['head'].pop('num_classes') == 100
        assert ours_model['head'].pop('topk') == (1, 5)
        theirs.model.head.pop('num_classes')
    assert ours_model == theirs.model.to_dict()


def test_user_config_inherits_a_recipe_by_path(tmp_path):
    recipe = CONFIG_ROOT / 'adautomix' / \
        'adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'
    user = tmp_path / 'my_adautomix.py'
    user.write_text(f"_base_ = ['{recipe}']\n"
                    "model = dict(alpha=2.0)\n"
                    "train_cfg = dict(max_epochs=1)\n")
    cfg = Config.fromfile(str(user))
    base = Config.fromfile(str(recipe))
    assert cfg.model.alpha == 2.0 and base.model.alpha == 1.0
    assert cfg.train_cfg.max_epochs == 1
    assert cfg.model.mix_block == base.model.mix_block


def test_package_scope_is_refused_by_mmengine(tmp_path):
    user = tmp_path / 'scoped.py'
    user.write_text("_base_ = ['adautomix_mm::adautomix/"
                    "adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py']\n")
    with pytest.raises(AssertionError, match='does not support to load '
                       'adautomix_mm config'):
        Config.fromfile(str(user))
