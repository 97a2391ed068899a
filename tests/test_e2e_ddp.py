"""Two-process CPU data-parallel training through ``torchrun`` (gloo).

``tools/train.py --launcher pytorch`` must run on a machine without CUDA
(``adautomix_mm.compat.prepare_cpu_distributed``) and DDP must keep the
ranks' parameters identical: each rank dumps its unwrapped model before and
after training (``tests/helpers/ddp_state_dump.py``) and the test compares
them tensor by tensor.
"""
import pytest


@pytest.mark.slow
def test_torchrun_two_ranks_keep_parameters_identical(e2e, vanilla_cfg,
                                                       work_dir, tmp_path,
                                                       torchrun_exe):
    dump = e2e.load_helper('ddp_state_dump')
    cmd = torchrun_exe + [
        '--nproc_per_node=2', f'--master_port={e2e.free_port()}',
        e2e.repo_root / 'tools' / 'train.py', vanilla_cfg,
        '--launcher', 'pytorch', '--work-dir', work_dir,
    ] + e2e.cfg_options(
        # 64 images / 2 ranks / 16 per batch = 2 iterations per rank.
        'randomness.seed=0',
        'default_hooks.rank_state_dump.type=ddp_state_dump.RankStateDumpHook',
        'default_hooks.exit_threads.type=exit_threads.ExitThreadsHook')
    env = e2e.make_env(pythonpath=[e2e.repo_root, e2e.helpers_dir],
                       omp_threads=1)
    e2e.run_cmd(cmd, env=env, cwd=tmp_path, timeout=240,
                log_file=tmp_path / 'torchrun.out')
    _assert_process_group_ended(e2e, work_dir)

    log = e2e.train_log(work_dir)
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'Epoch(train) [1][2/2]' in log, 'each rank should run 2 iters'
    assert (work_dir / 'epoch_1.pth').is_file()

    # Training moved (nearly) every weight on every rank, from an identical
    # starting point (DDP broadcasts rank 0's weights) to bit-identical
    # parameters after the all-reduced updates.
    init, final = e2e.assert_ranks_in_sync(work_dir)
    assert [d['rank'] for d in final] == [0, 1]
    assert [d['rank'] for d in init] == [0, 1]
    assert all(d['world_size'] == 2 for d in final)
    assert all(d['iter'] == 2 for d in final)
    assert all(d['module_files']['adautomix_mm'].startswith(
        str(e2e.repo_root)) for d in final)
    # The ranks really saw different batches: BN running statistics are
    # rank-local (broadcast_buffers=False) and so differ.
    assert dump.compare_rank_states(final, kind='buffers',
                                    floating_only=True)
    # Submodule restriction works and rejects prefixes that match nothing.
    assert dump.compare_rank_states(final, prefixes=('backbone.', 'head.')) \
        == []
    with pytest.raises(ValueError, match='no tensor matches'):
        dump.compare_rank_states(final, prefixes=('mix_block.', ))

    # tools/test.py under the same launcher also ends in order.
    test_dir = tmp_path / 'test_dir'
    result = e2e.run_cmd(torchrun_exe + [
        '--nproc_per_node=2', f'--master_port={e2e.free_port()}',
        e2e.repo_root / 'tools' / 'test.py', vanilla_cfg,
        work_dir / 'epoch_1.pth', '--launcher', 'pytorch',
        '--work-dir', test_dir] + e2e.cfg_options(
            'default_hooks.exit_threads.type=exit_threads.ExitThreadsHook'),
        env=env, cwd=tmp_path, timeout=240)
    assert 'Epoch(test) [1/1]' in result.stdout
    _assert_process_group_ended(e2e, test_dir)


def _assert_process_group_ended(e2e, work_dir):
    """Issue 22: no gloo thread left when the ranks' interpreters shut down
    (``tests/helpers/exit_threads.py``)."""
    proc_threads = e2e.load_helper('proc_threads')
    gloo = set(proc_threads.GLOO_THREADS)
    threads = proc_threads.load_exit_threads(str(work_dir))
    assert len(threads) == 2, threads
    assert all(names and not gloo & set(names) for names in threads), threads
