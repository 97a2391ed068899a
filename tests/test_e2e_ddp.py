"""Two-process CPU data-parallel training through ``torchrun`` (gloo).

``tools/train.py --launcher pytorch`` must run on a machine without CUDA
(``adautomix_mm.compat.prepare_cpu_distributed``) and DDP must keep the
ranks' parameters identical: each rank dumps its unwrapped model before and
after training (``tests/helpers/ddp_state_dump.py``) and the test compares
them tensor by tensor.
"""
import importlib.util

import pytest


def _load_helper(e2e):
    spec = importlib.util.spec_from_file_location(
        'ddp_state_dump', e2e.helpers_dir / 'ddp_state_dump.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_torchrun_two_ranks_keep_parameters_identical(e2e, vanilla_cfg,
                                                       work_dir, tmp_path,
                                                       torchrun_exe):
    dump = _load_helper(e2e)
    cmd = torchrun_exe + [
        '--nproc_per_node=2', f'--master_port={e2e.free_port()}',
        e2e.repo_root / 'tools' / 'train.py', vanilla_cfg,
        '--launcher', 'pytorch', '--work-dir', work_dir,
    ] + e2e.cfg_options(
        # 64 images / 2 ranks / 16 per batch = 2 iterations per rank.
        'randomness.seed=0',
        'default_hooks.rank_state_dump.type=ddp_state_dump.RankStateDumpHook')
    env = e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                       omp_threads=1)
    e2e.run_cmd(cmd, env=env, cwd=tmp_path, timeout=240,
                log_file=tmp_path / 'torchrun.out')

    log = e2e.train_log(work_dir)
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'Epoch(train) [1][2/2]' in log, 'each rank should run 2 iters'
    assert (work_dir / 'epoch_1.pth').is_file()

    final = dump.load_rank_states(str(work_dir), 'final')
    init = dump.load_rank_states(str(work_dir), 'init')
    assert [d['rank'] for d in final] == [0, 1]
    assert [d['rank'] for d in init] == [0, 1]
    assert all(d['world_size'] == 2 for d in final)
    assert all(d['iter'] == 2 for d in final)
    assert all(d['module_files']['adautomix_mm'].startswith(
        str(e2e.repo_root)) for d in final)

    # The check must not be vacuous: training moved (nearly) every weight...
    for d_init, d_final in zip(init, final):
        changed = dump.changed_tensors(d_init['params'], d_final['params'])
        assert len(changed) >= 0.9 * len(d_final['params']), changed
    # ...and the ranks really saw different batches: BN running statistics
    # are rank-local (broadcast_buffers=False) and so differ.
    assert dump.compare_rank_states(final, kind='buffers',
                                    floating_only=True)

    # Identical starting point (DDP broadcasts rank 0's weights) and
    # bit-identical parameters after the all-reduced updates.
    assert dump.compare_rank_states(init) == []
    assert dump.compare_rank_states(final) == []
    # Submodule restriction works and rejects prefixes that match nothing.
    assert dump.compare_rank_states(final, prefixes=('backbone.', 'head.')) \
        == []
    with pytest.raises(ValueError, match='no tensor matches'):
        dump.compare_rank_states(final, prefixes=('mix_block.', ))
