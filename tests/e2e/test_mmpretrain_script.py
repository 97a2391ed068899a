"""The plugin path: mmpretrain's *own* train script runs a user's config that
only adds ``custom_imports=dict(imports=['adautomix_mm'])`` to mmpretrain's
shipped bases, and finds AdAutoMix, AttentionMixBlock,
AdversarialOptimizerHook, NetworkAccuracy and EmbeddedFashionMNIST by name
in mmpretrain's registries."""
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_mmpretrain_train_script_trains_adautomix_via_custom_imports(
        e2e, work_dir, tmp_path):
    import mmpretrain
    script = Path(mmpretrain.__file__).parent / '.mim' / 'tools' / 'train.py'
    assert script.is_file(), f'mmpretrain ships no train script at {script}'
    cfg = e2e.test_configs_dir / 'user_mmpretrain_adautomix.py'
    result = e2e.run_cmd(
        [sys.executable, script, cfg, '--work-dir', work_dir],
        cwd=tmp_path, timeout=240)
    log = e2e.train_log(work_dir)
    assert 'Epoch(train) [1][4/4]' in log
    # AdAutoMix's own losses and the hook's schedule were logged ...
    for key in ('loss_amix', 'loss_one', 'loss_vmix', 'loss_gen',
                'adv_phase', 'ema_momentum'):
        assert f'{key}: ' in log, key
    # ... readably: the classifier's total beside them, the constant N and
    # the mix stage once
    assert 'loss_cls: ' in log and 'mix_samples: ' not in log
    assert ('the Mix Block reads output 0 of ResNet_CIFAR(out_indices=(2, 3)'
            '), i.e. stage 3 of 4') in log
    assert log.count('first training batch of 16 images 28 x 28') == 1
    # ... and both networks were evaluated.
    assert 'accuracy_ema/top1' in log and 'accuracy_online/top1' in log
    assert (work_dir / 'epoch_1.pth').is_file(), result.stdout[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize('cfg_rel', [
    'configs/baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py',
    'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py',
])
def test_mmpretrain_train_script_runs_package_config_unchanged(
        e2e, work_dir, tmp_path, cfg_rel):
    """mmpretrain's script (what ``mim train mmpretrain`` runs) defaults
    ``persistent_workers=True``; the package's worker-less Fashion-MNIST
    loaders must say False themselves, or torch refuses to build them."""
    import mmpretrain
    script = Path(mmpretrain.__file__).parent / '.mim' / 'tools' / 'train.py'
    # The fast options without any dataloader persistent_workers override.
    options = [o for o in e2e.fast_cfg_options
               if 'persistent_workers' not in o]
    e2e.run_cmd([sys.executable, script, e2e.repo_root / cfg_rel,
                 '--work-dir', work_dir] + e2e.cfg_options(base=options),
                cwd=tmp_path, timeout=240)
    assert 'Epoch(train) [1][4/4]' in e2e.train_log(work_dir)
