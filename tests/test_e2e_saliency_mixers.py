"""PuzzleMix and R-Mix train a few iterations through ``tools/train.py`` on
one process and under 2-process ``torchrun`` (gloo), where the saliency
pass (an input-only ``autograd.grad`` inside DDP's forward) must leave the
ranks' parameters identical after the all-reduced updates.
"""
import importlib.util

import pytest

pytest.importorskip('gco')

CFG = 'configs/baselines/{m}/{m}_resnet18-w16_1xb64-5e_fmnist-embedded.py'
METHODS = ['puzzlemix', 'rmix']


def _dump_helper(e2e):
    spec = importlib.util.spec_from_file_location(
        'ddp_state_dump', e2e.helpers_dir / 'ddp_state_dump.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize('method', METHODS)
def test_train_script_runs_a_few_iterations(method, e2e, work_dir, tmp_path,
                                            python_exe):
    cmd = [python_exe, e2e.repo_root / 'tools' / 'train.py',
           e2e.repo_root / CFG.format(m=method), '--work-dir', work_dir
           ] + e2e.cfg_options('randomness.seed=0')
    e2e.run_cmd(cmd, env=e2e.make_env(omp_threads=1), cwd=tmp_path,
                timeout=300, log_file=tmp_path / 'train.out')
    log = e2e.train_log(work_dir)
    assert 'Epoch(train) [1][4/4]' in log
    assert 'Epoch(val) [1]' in log and 'accuracy/top1' in log
    if method == 'puzzlemix':  # CIFAR-style clean_lam 0: no clean loss
        assert 'loss_clean' not in log


@pytest.mark.slow
@pytest.mark.parametrize('method', METHODS)
def test_torchrun_two_ranks_keep_parameters_identical(method, e2e, work_dir,
                                                      tmp_path, torchrun_exe):
    dump = _dump_helper(e2e)
    extra = ['randomness.seed=0',
             'default_hooks.rank_state_dump.type=ddp_state_dump.'
             'RankStateDumpHook']
    if method == 'puzzlemix':  # also the kept clean loss (train-mode pass)
        extra.append('model.mixer.clean_lam=1.0')
    cmd = torchrun_exe + [
        '--nproc_per_node=2', f'--master_port={e2e.free_port()}',
        e2e.repo_root / 'tools' / 'train.py',
        e2e.repo_root / CFG.format(m=method), '--launcher', 'pytorch',
        '--work-dir', work_dir] + e2e.cfg_options(*extra)
    env = e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                       omp_threads=1)
    e2e.run_cmd(cmd, env=env, cwd=tmp_path, timeout=300,
                log_file=tmp_path / 'torchrun.out')
    log = e2e.train_log(work_dir)
    assert 'Distributed training: True' in log
    assert 'Epoch(train) [1][2/2]' in log
    if method == 'puzzlemix':
        assert 'loss_clean' in log
    init = dump.load_rank_states(str(work_dir), 'init')
    final = dump.load_rank_states(str(work_dir), 'final')
    for d_init, d_final in zip(init, final):
        changed = dump.changed_tensors(d_init['params'], d_final['params'])
        assert len(changed) >= 0.9 * len(d_final['params']), changed
    assert dump.compare_rank_states(init) == []
    assert dump.compare_rank_states(final) == []
