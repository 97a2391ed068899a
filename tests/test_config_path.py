"""``python -m adautomix_mm.cli.config_path``: a recipe's path for users who
inherit it (MMEngine 0.10.7 refuses ``adautomix_mm::`` bases)."""
from pathlib import Path

import pytest
from mmengine.config import Config

from adautomix_mm.cli import config_path

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
DEMO = 'vanilla_resnet18-w16_1xb64-5e_fmnist-embedded'


def test_name_and_path_resolve_to_the_checkout_config(capsys):
    want = CONFIGS / 'baselines' / 'vanilla' / f'{DEMO}.py'
    assert config_path.recipe_path(DEMO) == want
    assert config_path.recipe_path(f'{DEMO}.py') == want
    assert config_path.recipe_path('_base_/models/cutmix.py') == \
        CONFIGS / '_base_' / 'models' / 'cutmix.py'
    assert config_path.main([DEMO]) == 0
    assert capsys.readouterr().out.strip() == str(want)


def test_installed_package_reads_its_mim_configs(tmp_path, monkeypatch):
    recipe = tmp_path / 'pkg' / '.mim' / 'configs' / 'm' / 'm_x_1xb1-1e_d.py'
    recipe.parent.mkdir(parents=True)
    recipe.write_text('a = 1\n')
    monkeypatch.setattr(config_path, 'PACKAGE', tmp_path / 'pkg')
    assert config_path.recipe_path('m_x_1xb1-1e_d') == recipe


def test_new_writes_a_config_that_inherits_the_recipe(tmp_path):
    user = tmp_path / 'mine.py'
    assert config_path.main([DEMO, '--new', str(user)]) == 0
    mine = Config.fromfile(str(user)).to_dict()
    ref = Config.fromfile(str(config_path.recipe_path(DEMO))).to_dict()
    assert mine == ref
    with pytest.raises(SystemExit):  # never overwrites
        config_path.main([DEMO, '--new', str(user)])


def test_unknown_name_is_refused_with_close_names(capsys):
    with pytest.raises(SystemExit):
        config_path.main(['vanilla_resnet18-w16_1xb64-5e_fmnist-embeded'])
    err = capsys.readouterr().err
    assert 'no config' in err and DEMO in err
