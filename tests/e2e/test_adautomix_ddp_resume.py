"""AdAutoMix through the real entry point: two-rank DDP and mid-run resume.

Both tests train the demo config
(``configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py``, embedded
Fashion-MNIST, batch 64, ``AdversarialOptimizerHook`` alternating the phases)
cut to a few CPU iterations, with ``tests/helpers/ddp_state_dump.py``'s
``RankStateDumpHook`` added from the command line: every rank dumps its
unwrapped model's parameters and buffers before training (after the DDP
broadcast, and after a resume has loaded the checkpoint) and after training.
"""
import sys

import pytest
import torch

from helpers.two_network_runs import (MIX_BLOCK, ONLINE, TEACHER,
                                      check_resumed_teacher, train_two_ranks,
                                      common_options, differing, load, run_env,
                                      scalars, select)

DEMO_CFG_REL = 'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'

# conv_v's bias adds the same constant to every image's mask logit and the
# softmax over images cancels it: its gradient is rounding noise, so it need
# not move. Every other parameter must.
DEAD_PARAMS = {'mix_block.conv_v.bias'}


# ------------------------------------------------------------------- DDP
@pytest.mark.slow
def test_ddp_two_ranks_keep_online_teacher_and_mix_block_identical(
        e2e, work_dir, tmp_path, torchrun_exe):
    dump = e2e.load_helper('ddp_state_dump')
    # 2 iterations per rank: one adversarial, one cooperative
    log = train_two_ranks(e2e, DEMO_CFG_REL, work_dir, tmp_path,
                          torchrun_exe, timeout=240)
    phases = {it: rec['adv_phase']
              for it, rec in scalars(work_dir, 'adv_phase').items()}
    assert phases == {1: 1.0, 2: 0.0}, 'both game phases must have run'

    init = dump.load_rank_states(str(work_dir), 'init')
    final = dump.load_rank_states(str(work_dir), 'final')
    assert [d['rank'] for d in final] == [0, 1]
    assert [d['rank'] for d in init] == [0, 1]
    assert all(d['iter'] == 2 for d in final)
    assert all(d['module_files']['adautomix_mm'].startswith(
        str(e2e.repo_root)) for d in final)

    # Parameters only. Buffers legitimately differ across ranks: the online
    # BN statistics are rank-local (broadcast_buffers=False) and so are the
    # teacher's, which evolve from its own train-mode passes on each rank's
    # batches (teacher_buffers='own').
    for name, prefixes in (('online', ONLINE), ('teacher', TEACHER),
                           ('mix block', MIX_BLOCK)):
        assert dump.compare_rank_states(init, prefixes=prefixes) == [], name
        assert dump.compare_rank_states(final, prefixes=prefixes) == [], name
        # Not vacuous: training moved the group on every rank.
        for d_init, d_final in zip(init, final):
            group = set(select(d_final['params'], prefixes))
            changed = set(dump.changed_tensors(
                d_init['params'], d_final['params'], prefixes))
            assert group - DEAD_PARAMS <= changed, \
                (name, sorted(group - DEAD_PARAMS - changed))
    # ...and the ranks really trained on different batches: the teacher's
    # own BN statistics differ between them.
    teacher_bufs = dump.compare_rank_states(final, prefixes=TEACHER,
                                            kind='buffers', floating_only=True)
    assert any('running_mean' in n for n in teacher_bufs), teacher_bufs

    # The teacher is an EMA of the online network, not a copy of it.
    params = final[0]['params']
    online = select(params, ONLINE)
    assert online
    same = [k for k in online if torch.equal(online[k],
                                             params['teacher.module.' + k])]
    assert same == []
    assert final[0]['buffers']['teacher.steps'].item() == 3  # 1 + 2 updates


# ---------------------------------------------------------------- resume
ITERS_PER_EPOCH = 3  # 192 images, batch 64: odd, so a restarted game
EPOCHS = 2           # counter would flip the phase sequence


@pytest.fixture(scope='module')
def resume_runs(tmp_path_factory, e2e):
    """Run A trains 2 epochs straight; run B resumes from A's epoch-1
    checkpoint (``--resume <ckpt>``) and trains epoch 2."""
    root = tmp_path_factory.mktemp('adautomix_resume')
    a_dir, b_dir = root / 'a', root / 'b'

    def train(work_dir, *extra, name):
        cmd = [sys.executable, e2e.repo_root / 'tools' / 'train.py',
               e2e.repo_root / DEMO_CFG_REL, '--work-dir', work_dir, *extra]
        cmd += e2e.cfg_options(
            f'train_dataloader.dataset.indices={64 * ITERS_PER_EPOCH}',
            f'train_cfg.max_epochs={EPOCHS}',
            *common_options(), base=())
        return e2e.run_cmd(cmd, env=run_env(e2e), cwd=root, timeout=240,
                           log_file=root / f'{name}.out')

    train(a_dir, name='a')
    resumed = train(b_dir, '--resume', a_dir / 'epoch_1.pth', name='b')
    return dict(a=a_dir, b=b_dir, resumed=resumed)


@pytest.mark.slow
def test_resume_checkpoint_holds_game_step(resume_runs):
    a, b = resume_runs['a'], resume_runs['b']
    out = resume_runs['resumed'].stdout
    assert f'resumed epoch: 1, iter: {ITERS_PER_EPOCH}' in out
    assert 'Epoch(train) [1][' not in out  # B trains epoch 2 only
    assert f'Epoch(train) [2][{ITERS_PER_EPOCH}/{ITERS_PER_EPOCH}]' in out

    mid = load(a / 'epoch_1.pth')
    assert mid['meta']['iter'] == ITERS_PER_EPOCH
    assert mid['adversarial_game'] == dict(game_step=ITERS_PER_EPOCH)
    for work_dir in (a, b):
        end = load(work_dir / 'epoch_2.pth')
        assert end['meta']['iter'] == EPOCHS * ITERS_PER_EPOCH
        assert end['adversarial_game'] == dict(
            game_step=EPOCHS * ITERS_PER_EPOCH), work_dir


@pytest.mark.slow
def test_resume_continues_the_phase_sequence(resume_runs):
    a, b = (scalars(resume_runs[r], 'adv_phase') for r in 'ab')
    total = EPOCHS * ITERS_PER_EPOCH
    assert sorted(a) == list(range(1, total + 1))
    assert sorted(b) == list(range(ITERS_PER_EPOCH + 1, total + 1))
    # The straight run alternates (adv_interval=2): 1-based odd iterations
    # adversarial.
    assert [a[it]['adv_phase'] for it in sorted(a)] == \
        [float(it % 2 == 1) for it in range(1, total + 1)]
    # Epoch 1 ends on game step 3, so the resumed run starts cooperative; a
    # restarted counter would start adversarial.
    resumed = sorted(b)
    assert [b[it]['adv_phase'] for it in resumed] == \
        [a[it]['adv_phase'] for it in resumed]
    assert b[resumed[0]]['adv_phase'] == 0.0
    # The iteration-based schedules continue too (EMA momentum, LR).
    for it in resumed:
        assert b[it]['ema_momentum'] == a[it]['ema_momentum'], it
        assert b[it]['lr'] == a[it]['lr'], it
    assert b[resumed[0]]['ema_momentum'] > a[1]['ema_momentum']


@pytest.mark.slow
def test_resume_restores_teacher_and_continues_ema(resume_runs):
    # (RankStateDumpHook's before_train dump runs after load_or_resume.)
    saved, loaded = check_resumed_teacher(
        resume_runs['a'], resume_runs['b'], ITERS_PER_EPOCH, EPOCHS)
    for prefixes in (TEACHER, ONLINE, MIX_BLOCK):
        got = select(loaded['params'], prefixes)
        assert got, prefixes
        assert differing(got, {k: saved[k] for k in got}) == [], prefixes
