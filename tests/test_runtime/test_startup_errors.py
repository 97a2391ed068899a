"""Configuration mistakes stop the entry points at start, with a message
naming the bad value, before any training happens."""
import os
import sys

import pytest


@pytest.fixture(autouse=True)
def _restore_local_rank():
    # parse_args exports LOCAL_RANK (for mmengine); keep it out of the
    # environment of later tests and of the subprocesses they start.
    saved = os.environ.get('LOCAL_RANK')
    yield
    if saved is None:
        os.environ.pop('LOCAL_RANK', None)
    else:
        os.environ['LOCAL_RANK'] = saved


def _assert_failed_before_training(result, work_dir, *names):
    assert result.returncode != 0, result.stdout[-3000:]
    for name in names:
        assert name in result.stdout, f'{name!r} not in:\n' + \
            result.stdout[-3000:]
    assert 'Epoch(train)' not in result.stdout
    assert not list(work_dir.glob('*.pth'))


@pytest.mark.slow
def test_unknown_model_type_fails_at_start(e2e, vanilla_cfg, work_dir,
                                           tmp_path):
    result = e2e.run_cmd(
        [sys.executable, e2e.repo_root / 'tools' / 'train.py', vanilla_cfg,
         '--work-dir', work_dir] +
        e2e.cfg_options('model.backbone.type=ResNetz'),
        cwd=tmp_path, timeout=120, check=False)
    # mmengine: "ResNetz is not in the mmpretrain::model registry ..."
    _assert_failed_before_training(result, work_dir, 'ResNetz', 'registry')


@pytest.mark.slow
def test_misspelled_custom_import_in_config_fails_at_start(e2e, work_dir,
                                                           tmp_path):
    cfg = e2e.test_configs_dir / 'vanilla_misspelled_import.py'
    result = e2e.run_cmd(
        [sys.executable, e2e.repo_root / 'tools' / 'train.py', cfg,
         '--work-dir', work_dir] + e2e.cfg_options(),
        cwd=tmp_path, timeout=120, check=False)
    _assert_failed_before_training(result, work_dir, "'adautomix_mn'",
                                   'ModuleNotFoundError')


def test_misspelled_custom_import_in_cfg_options_fails(vanilla_cfg,
                                                       work_dir):
    # Config.fromfile imports the file's custom_imports before the
    # command-line options are merged; the CLI must import the overridden
    # list too instead of silently training without it.
    from adautomix_mm.runtime.cli import train
    with pytest.raises(ImportError, match='adautomix_mn'):
        train.main([str(vanilla_cfg), '--work-dir', str(work_dir),
                    '--cfg-options',
                    'custom_imports.imports=[adautomix_mm,adautomix_mn]'])
    assert not any(work_dir.iterdir())


def test_cfg_options_custom_imports_are_imported(vanilla_cfg, e2e,
                                                 monkeypatch):
    # The positive side of the above: a module named only on the command
    # line is imported (and so can register hooks, models, ...).
    from adautomix_mm.runtime.cli import train
    monkeypatch.syspath_prepend(str(e2e.helpers_dir))
    monkeypatch.delitem(sys.modules, 'ddp_state_dump', raising=False)
    args = train.parse_args([
        str(vanilla_cfg), '--cfg-options',
        'custom_imports.imports=[adautomix_mm,ddp_state_dump]'])
    cfg = train.build_train_config(args)
    assert cfg.custom_imports.imports == ['adautomix_mm', 'ddp_state_dump']
    assert 'ddp_state_dump' in sys.modules
    from mmpretrain.registry import HOOKS
    assert HOOKS.get('RankStateDumpHook') is \
        sys.modules['ddp_state_dump'].RankStateDumpHook


@pytest.mark.parametrize('bad', ['foo.txt', 'results.json'])
def test_test_script_rejects_non_pickle_out(bad, vanilla_cfg, capsys):
    from adautomix_mm.runtime.cli import test as test_cli
    with pytest.raises(SystemExit) as exc:
        test_cli.parse_args([str(vanilla_cfg), 'ckpt.pth', '--out', bad])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert repr(bad) in err and '.pkl' in err


def test_test_script_accepts_pickle_out(vanilla_cfg):
    from adautomix_mm.runtime.cli import test as test_cli
    args = test_cli.parse_args([str(vanilla_cfg), 'ckpt.pth',
                                '--out', 'preds.pkl'])
    assert args.out == 'preds.pkl'


@pytest.mark.slow
def test_test_script_out_error_through_tools_script(e2e, vanilla_cfg,
                                                    tmp_path):
    result = e2e.run_cmd(
        [sys.executable, e2e.repo_root / 'tools' / 'test.py', vanilla_cfg,
         tmp_path / 'missing.pth', '--out', 'foo.txt'],
        cwd=tmp_path, timeout=120, check=False)
    assert result.returncode == 2
    assert "'foo.txt'" in result.stdout
    assert not (tmp_path / 'foo.txt').exists()


@pytest.mark.parametrize('launcher', ['none', 'pytorch', 'slurm', 'mpi'])
def test_launchers_accepted_by_parser(launcher, vanilla_cfg):
    from adautomix_mm.runtime.cli import train
    args = train.parse_args([str(vanilla_cfg), '--launcher', launcher])
    assert args.launcher == launcher


@pytest.mark.parametrize('flag', ['--local-rank', '--local_rank'])
def test_local_rank_spellings_accepted(flag, vanilla_cfg, monkeypatch):
    # torch.distributed.launch (used by `mim train --launcher pytorch`)
    # passes --local-rank=K; older versions --local_rank=K.
    from adautomix_mm.runtime.cli import train
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    args = train.parse_args([str(vanilla_cfg), f'{flag}=1'])
    assert args.local_rank == 1
    assert os.environ['LOCAL_RANK'] == '1'


def test_unknown_launcher_rejected(vanilla_cfg, capsys):
    from adautomix_mm.runtime.cli import train
    with pytest.raises(SystemExit):
        train.parse_args([str(vanilla_cfg), '--launcher', 'slurmm'])
    assert "'slurmm'" in capsys.readouterr().err
