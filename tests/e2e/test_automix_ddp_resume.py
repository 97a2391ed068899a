"""AutoMix through the real entry point: two-rank DDP and mid-run resume.

The DDP test trains the embedded demo config
(``configs/automix/automix_resnet18-w16_1xb64-5e_fmnist-embedded.py``); the resume test a
copy with the ImageNet/ViT recipes' mask-loss annealing added
(``tests/configs/automix_fmnist_mask_annealed.py``), both cut to a few CPU
iterations with ``tests/helpers/ddp_state_dump.py``'s ``RankStateDumpHook``
(every rank dumps its unwrapped model before and after training).
"""
import sys

import pytest
import torch

from helpers.two_network_runs import (MIX_BLOCK, ONLINE, TEACHER,
                                      check_resumed_teacher, common_options,
                                      run_env, scalars, select,
                                      train_two_ranks)

DEMO_CFG_REL = 'configs/automix/automix_resnet18-w16_1xb64-5e_fmnist-embedded.py'
ANNEALED_CFG_REL = 'tests/configs/automix_fmnist_mask_annealed.py'

# ------------------------------------------------------------------- DDP
@pytest.mark.slow
def test_ddp_two_ranks_keep_online_teacher_and_mix_block_identical(
        e2e, work_dir, tmp_path, torchrun_exe):
    dump = e2e.load_helper('ddp_state_dump')
    log = train_two_ranks(e2e, DEMO_CFG_REL, work_dir, tmp_path,
                          torchrun_exe, timeout=300)
    assert 'loss_gen' in log and 'loss_mask' in log
    assert (work_dir / 'mixed_samples' / 'epoch_1.png').is_file()

    init = dump.load_rank_states(str(work_dir), 'init')
    final = dump.load_rank_states(str(work_dir), 'final')
    assert [d['rank'] for d in final] == [0, 1]
    assert all(d['iter'] == 2 for d in final)
    assert all(d['module_files']['adautomix_mm'].startswith(
        str(e2e.repo_root)) for d in final)
    for name, prefixes in (('online', ONLINE), ('teacher', TEACHER),
                           ('mix block', MIX_BLOCK)):
        assert dump.compare_rank_states(init, prefixes=prefixes) == [], name
        assert dump.compare_rank_states(final, prefixes=prefixes) == [], name
        # Not vacuous: training moved every parameter of the group.
        for d_init, d_final in zip(init, final):
            group = set(select(d_final['params'], prefixes))
            changed = set(dump.changed_tensors(
                d_init['params'], d_final['params'], prefixes))
            assert group <= changed, (name, sorted(group - changed))
    # the ranks trained on different batches: the teacher's BN statistics
    # (its own train-mode passes, rank-local) differ
    teacher_bufs = dump.compare_rank_states(final, prefixes=TEACHER,
                                            kind='buffers', floating_only=True)
    assert any('running_mean' in n for n in teacher_bufs), teacher_bufs
    params = final[0]['params']
    online = select(params, ONLINE)
    assert [k for k in online
            if torch.equal(online[k], params['teacher.module.' + k])] == []
    assert final[0]['buffers']['teacher.steps'].item() == 3  # 1 + 2 updates


# ---------------------------------------------------------------- resume
ITERS_PER_EPOCH = 3
EPOCHS = 2


@pytest.fixture(scope='module')
def resume_runs(tmp_path_factory, e2e):
    """Run A trains 2 epochs straight; run B resumes from A's epoch-1
    checkpoint and trains epoch 2."""
    root = tmp_path_factory.mktemp('automix_resume')
    a_dir, b_dir = root / 'a', root / 'b'

    def train(work_dir, *extra, name):
        cmd = [sys.executable, e2e.repo_root / 'tools' / 'train.py',
               e2e.repo_root / ANNEALED_CFG_REL, '--work-dir', work_dir,
               *extra]
        cmd += e2e.cfg_options(
            f'train_dataloader.dataset.indices={64 * ITERS_PER_EPOCH}',
            f'train_cfg.max_epochs={EPOCHS}',
            *common_options(), base=())
        return e2e.run_cmd(cmd, env=run_env(e2e), cwd=root, timeout=300,
                           log_file=root / f'{name}.out')

    train(a_dir, name='a')
    resumed = train(b_dir, '--resume', a_dir / 'epoch_1.pth', name='b')
    return dict(a=a_dir, b=b_dir, resumed=resumed)


@pytest.mark.slow
def test_resume_continues_the_schedules(resume_runs):
    out = resume_runs['resumed'].stdout
    assert f'resumed epoch: 1, iter: {ITERS_PER_EPOCH}' in out
    assert 'Epoch(train) [1][' not in out
    a, b = (scalars(resume_runs[r], 'ema_momentum') for r in 'ab')
    total = EPOCHS * ITERS_PER_EPOCH
    assert sorted(a) == list(range(1, total + 1))
    resumed = sorted(b)
    assert resumed == list(range(ITERS_PER_EPOCH + 1, total + 1))
    # EMA momentum, mask-loss weight and LR continue where they were.
    for it in resumed:
        for key in ('ema_momentum', 'mask_loss_weight', 'lr'):
            assert b[it][key] == a[it][key], (it, key)
    assert b[resumed[0]]['ema_momentum'] > a[1]['ema_momentum']
    # the annealing really ran: 0.1 at the start, down the cosine
    assert a[1]['mask_loss_weight'] == pytest.approx(0.1)
    assert b[resumed[0]]['mask_loss_weight'] < a[1]['mask_loss_weight']


@pytest.mark.slow
def test_resume_restores_teacher_and_continues_ema(resume_runs):
    check_resumed_teacher(resume_runs['a'], resume_runs['b'],
                          ITERS_PER_EPOCH, EPOCHS)
