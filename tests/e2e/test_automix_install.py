"""``mim train adautomix_mm automix_resnet18-w16_1xb64-5e_fmnist-embedded.py`` from a fresh,
non-editable wheel install (the session fixture ``installed`` of
conftest.py), the same way as ``make demo``: mim finds the AutoMix
config, which inherits its AdAutoMix sibling, inside the installed package."""
import pytest

PKG = 'adautomix_mm'

CFG_NAME = 'automix_resnet18-w16_1xb64-5e_fmnist-embedded.py'


@pytest.mark.slow
def test_mim_train_automix_demo_config_from_wheel(installed, e2e,
                                                  mim_exe, tmp_path):
    work_dir = tmp_path / 'work_dir'
    cmd = [mim_exe, 'train', PKG, CFG_NAME, '--work-dir', work_dir]
    cmd += e2e.cfg_options()
    env = e2e.make_env(pythonpath=[installed['site']], omp_threads=1)
    result = e2e.run_cmd(cmd, env=env, cwd=installed['cwd'], timeout=300,
                         log_file=tmp_path / 'mim.out')
    site = str(installed['site'])
    assert f'{site}/{PKG}/.mim/configs/automix/{CFG_NAME}' in result.stdout
    assert 'Training finished successfully' in result.stdout
    log = e2e.train_log(work_dir)
    assert 'Epoch(train) [1][4/4]' in log
    for key in ('loss_mix', 'loss_one', 'loss_gen', 'loss_mask',
                'accuracy_ema/top1', 'accuracy_online/top1'):
        assert key in log, key
    assert (work_dir / 'mixed_samples' / 'epoch_1.png').is_file()
