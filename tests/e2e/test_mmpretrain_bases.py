"""Model bases inherit ``mmpretrain::_base_/models/...``: from a checkout,
the scope resolves under this package's ``tools/train.py`` and under
MMPretrain's own ``tools/train.py`` (``mim train mmpretrain`` runs that
script). The installed-wheel case (``mim train adautomix_mm``) is in
tests/e2e/test_install.py."""
import sys
from pathlib import Path

import pytest

CFG = 'vanilla_mmpretrain_base_fmnist.py'


def _mmpretrain_script():
    import mmpretrain
    return Path(mmpretrain.__file__).parent / '.mim' / 'tools' / 'train.py'


@pytest.mark.slow
@pytest.mark.parametrize('script', ['package', 'mmpretrain'])
def test_mmpretrain_scoped_base_trains_from_checkout(e2e, work_dir, tmp_path,
                                                      script):
    exe = (e2e.repo_root / 'tools' / 'train.py' if script == 'package'
           else _mmpretrain_script())
    cfg = e2e.test_configs_dir / CFG
    e2e.run_cmd([sys.executable, exe, cfg, '--work-dir', work_dir]
                + e2e.cfg_options(), cwd=tmp_path, timeout=300)
    log = e2e.train_log(work_dir)
    assert 'Epoch(train) [1][4/4]' in log
    # the dumped config resolved MMPretrain's base (its ResNet_CIFAR)
    dumped = (work_dir / CFG).read_text()
    assert "type='ResNet_CIFAR'" in dumped and 'in_channels=1' in dumped
