"""Kill -9 mid-epoch, ``--resume``: the run repeats the uninterrupted one.

For the vanilla baseline (random crop and flip drawn from the global
generators in the main process) and AdAutoMix (mixing ratios, partners,
random crops/flips), on 1 process and on 2 gloo processes (torchrun), in
deterministic mode (``randomness.deterministic=True``, seed 0, no loader
workers, validation on):

* run A trains 2 epochs straight;
* run B trains the same, is SIGKILLed (whole process group: torchrun and all
  ranks, ``tests/helpers/kill_hook.py``) before the second iteration of
  epoch 2, i.e. after ``epoch_1.pth`` and with part of epoch 2 done and lost,
  then ``--resume`` (auto) finishes it.

Compared bit for bit: every loss of epoch 2 and the final checkpoint's
online network, EMA teacher, generator (Mix Block), every buffer, optimizer
state, schedulers, game step and each rank's generator states. Equality is
exact because both runs perform the same operations in the same order from
the same state; no tolerance is needed.

Not vacuous: resuming the same ``epoch_1.pth`` without ``RngStateHook``
(``default_hooks.rng_state=None``) gives different epoch-2 losses (what
MMEngine alone does: it seeds again on resume).
"""
import json
import sys

import pytest
import torch

VANILLA = 'configs/baselines/vanilla/vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py'
ADAUTOMIX = 'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'
AUTOMIX = 'configs/automix/automix_resnet18-w16_1xb64-5e_fmnist-embedded.py'

# (config, processes) -> (training images, batch size, iterations per epoch
# per rank)
CASES = {
    ('vanilla', 1): (VANILLA, 96, 16, 6),
    ('vanilla', 2): (VANILLA, 96, 16, 3),
    ('adautomix', 1): (ADAUTOMIX, 192, 64, 3),
    ('adautomix', 2): (ADAUTOMIX, 256, 64, 2),
    ('automix', 1): (AUTOMIX, 192, 64, 3),
    ('automix', 2): (AUTOMIX, 256, 64, 2),
}
EPOCHS = 2


def _options(e2e, images, batch, *extra):
    return e2e.cfg_options(
        f'train_dataloader.dataset.indices={images}',
        f'train_dataloader.batch_size={batch}',
        f'train_cfg.max_epochs={EPOCHS}',
        'randomness.seed=0',
        'randomness.deterministic=True',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        *extra)


def _scalars(work_dir):
    """``{iter: record}`` of training iterations; a later run (the resumed
    one) overrides an earlier one (the killed one) at the same iteration."""
    records = {}
    for path in sorted(work_dir.glob('*/vis_data/scalars.json')):
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            if 'loss' in rec and 'lr' in rec:
                records[rec['iter']] = rec
    return records


def _load(path):
    from adautomix_mm.runtime.compat import load_weights_only
    return load_weights_only(str(path), map_location='cpu')


def _equal(a, b, path=''):
    """Paths where two nested checkpoint values differ (tensors exactly)."""
    if torch.is_tensor(a) or torch.is_tensor(b):
        same = torch.is_tensor(a) and torch.is_tensor(b) and \
            a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
        return [] if same else [path]
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f'{path}: keys {sorted(set(a) ^ set(b))}']
        return [d for k in a for d in _equal(a[k], b[k], f'{path}/{k}')]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return [f'{path}: length']
        return [d for i, (x, y) in enumerate(zip(a, b))
                for d in _equal(x, y, f'{path}/{i}')]
    return [] if a == b else [path]


class Runs:

    def __init__(self, e2e, root, case, torchrun_exe):
        self.e2e, self.root, self.case = e2e, root, case
        cfg, self.images, self.batch, self.ipe = CASES[case]
        self.cfg = e2e.repo_root / cfg
        self.nproc = case[1]
        self.torchrun = torchrun_exe

    def cmd(self, work_dir, *args, options=()):
        train = [self.e2e.repo_root / 'tools' / 'train.py', self.cfg,
                 '--work-dir', work_dir, *args]
        if self.nproc == 1:
            head = [sys.executable]
        else:
            head = self.torchrun + [f'--nproc_per_node={self.nproc}',
                                    f'--master_port={self.e2e.free_port()}']
            train += ['--launcher', 'pytorch']
        return head + train + _options(self.e2e, self.images, self.batch,
                                       *options)

    def run(self, name, work_dir, *args, options=(), check=True):
        env = self.e2e.make_env(
            pythonpath=[self.e2e.repo_root, self.e2e.helpers_dir],
            omp_threads=1)
        return self.e2e.run_cmd(self.cmd(work_dir, *args, options=options),
                                env=env, cwd=self.root, timeout=400,
                                check=check, log_file=self.root / f'{name}.out')


@pytest.fixture(scope='module', params=sorted(CASES),
                ids=lambda c: f'{c[0]}-{c[1]}proc')
def runs(request, tmp_path_factory, e2e, torchrun_exe):
    case = request.param
    root = tmp_path_factory.mktemp(f'{case[0]}{case[1]}')
    r = Runs(e2e, root, case, torchrun_exe)
    r.a, r.b = root / 'a', root / 'b'
    r.run('a', r.a)
    # Killed before iteration ipe + 2 (1-based): epoch 1 saved, the first
    # iteration of epoch 2 done and lost.
    kill_at = r.ipe + 1
    r.killed = r.run('b_killed', r.b, options=(
        'default_hooks.killer.type=kill_hook.KillAtIterHook',
        f'default_hooks.killer.at_iter={kill_at}'), check=False)
    r.after_kill = sorted(p.name for p in r.b.glob('*.pth'))
    r.resumed = r.run('b_resumed', r.b, '--resume')
    return r


@pytest.mark.slow
def test_kill_happened_mid_epoch_two(runs):
    assert runs.killed.returncode in (-9, 137), runs.killed.stdout[-3000:]
    assert f'SIGKILL at iteration {runs.ipe + 2}' in runs.killed.stdout
    assert runs.after_kill == ['epoch_1.pth']
    out = runs.resumed.stdout
    assert f'resumed epoch: 1, iter: {runs.ipe}' in out
    assert 'Random generator states restored from the checkpoint' in out


@pytest.mark.slow
def test_resumed_losses_equal_uninterrupted(runs):
    a, b = _scalars(runs.a), _scalars(runs.b)
    epoch2 = range(runs.ipe + 1, EPOCHS * runs.ipe + 1)
    assert set(epoch2) <= set(a) and set(epoch2) <= set(b)
    for it in epoch2:
        for key in a[it]:
            if key in ('time', 'data_time', 'eta', 'memory'):
                continue
            assert b[it][key] == a[it][key], (it, key, a[it], b[it])


@pytest.mark.slow
def test_resumed_final_checkpoint_equals_uninterrupted(runs):
    a = _load(runs.a / f'epoch_{EPOCHS}.pth')
    b = _load(runs.b / f'epoch_{EPOCHS}.pth')
    for key in ('state_dict', 'optimizer', 'param_schedulers', 'rng_state'):
        assert _equal(a[key], b[key], key) == [], key
    assert a['rng_state']['world_size'] == runs.nproc
    if runs.case[0] == 'adautomix':
        assert a['adversarial_game'] == b['adversarial_game'] == dict(
            game_step=EPOCHS * runs.ipe)
    if runs.case[0] in ('adautomix', 'automix'):
        groups = ('backbone.', 'head.', 'mix_head.', 'teacher.module.',
                  'mix_block.')
        for prefix in groups:  # every network is in the comparison
            assert any(k.startswith(prefix) for k in a['state_dict']), prefix
        assert 'teacher.steps' in a['state_dict']
    # Epoch 2 changed the weights: the comparison is not of untouched state.
    a1 = _load(runs.a / 'epoch_1.pth')
    assert _equal(a1['state_dict'], a['state_dict'])


@pytest.mark.slow
def test_without_rng_state_the_resume_differs(runs):
    if runs.case != ('vanilla', 1):
        pytest.skip('one control run is enough')
    c = runs.root / 'c'
    runs.run('c', c, '--resume', runs.b / 'epoch_1.pth',
             options=('default_hooks.rng_state=None', ))
    a, cs = _scalars(runs.a), _scalars(c)
    epoch2 = range(runs.ipe + 1, EPOCHS * runs.ipe + 1)
    assert any(cs[it]['loss'] != a[it]['loss'] for it in epoch2)


# ----------------------------------------------- mid-epoch (by-iteration)
MID_EPOCH_CKPT = ('default_hooks.checkpoint.by_epoch=False',
                  'default_hooks.checkpoint.interval=2')


@pytest.fixture(scope='module')
def mid_epoch_runs(tmp_path_factory, e2e, torchrun_exe):
    """Vanilla, 1 process, a checkpoint every 2 iterations (6 per epoch):
    killed before iteration 10, so the newest checkpoint ``iter_8.pth`` is 2
    batches into epoch 2."""
    root = tmp_path_factory.mktemp('mid_epoch')
    r = Runs(e2e, root, ('vanilla', 1), torchrun_exe)
    r.a, r.b = root / 'a', root / 'b'
    r.run('a', r.a, options=MID_EPOCH_CKPT)
    r.killed = r.run('b_killed', r.b, check=False, options=MID_EPOCH_CKPT + (
        'default_hooks.killer.type=kill_hook.KillAtIterHook',
        'default_hooks.killer.at_iter=9'))
    r.resumed = r.run('b_resumed', r.b, '--resume', options=MID_EPOCH_CKPT)
    return r


@pytest.mark.slow
def test_mid_epoch_resume_skips_seen_batches_and_repeats_the_run(
        mid_epoch_runs):
    r = mid_epoch_runs
    assert r.killed.returncode in (-9, 137)
    out = r.resumed.stdout
    assert 'resumed epoch: 1, iter: 8' in out
    assert 'the 2 batches of epoch 2 trained before the checkpoint are ' \
        'skipped' in out
    a, b = _scalars(r.a), _scalars(r.b)
    for it in range(9, EPOCHS * r.ipe + 1):
        assert b[it]['loss'] == a[it]['loss'], (it, a[it], b[it])
    last = f'iter_{EPOCHS * r.ipe}.pth'
    ca, cb = _load(r.a / last), _load(r.b / last)
    for key in ('state_dict', 'optimizer', 'param_schedulers', 'rng_state'):
        assert _equal(ca[key], cb[key], key) == [], key
    # MMEngine alone trains epoch 2 from its first batch again: the resumed
    # run would have 2 iterations more.
    assert cb['meta']['iter'] == ca['meta']['iter'] == EPOCHS * r.ipe


# --------------------------------------------- preemption (PreemptionHook)
@pytest.fixture(scope='module')
def preempted(runs):
    """Vanilla, 1 and 2 processes: SIGTERM at the second iteration of epoch
    2 (on 2 processes only rank 1 gets it), then ``--resume`` (auto)."""
    if runs.case[0] != 'vanilla':
        pytest.skip('the vanilla runs show it; the hook is model-agnostic')
    at_iter = runs.ipe + 1  # 0-based
    ranks = ['default_hooks.signal.ranks=[1]'] if runs.nproc == 2 else []
    # its own work dir: 'c' belongs to the run without RNG state above
    c = runs.root / 'preempted'
    runs.stopped = runs.run('preempted_sigterm', c, check=False, options=(
        'default_hooks.signal.type=signal_hook.SignalAtIterHook',
        f'default_hooks.signal.at_iter={at_iter}', *ranks))
    runs.after_stop = sorted(p.name for p in c.glob('*.pth'))
    runs.last_after_stop = (c / 'last_checkpoint').read_text()
    runs.stop_iter = at_iter + 1  # the iteration finishes, then it stops
    runs.resumed_c = runs.run('preempted_resumed', c, '--resume')
    runs.c = c
    return runs


@pytest.mark.slow
def test_sigterm_saves_a_checkpoint_and_exits_non_zero(preempted):
    r = preempted
    out = r.stopped.stdout
    ckpt = f'iter_{r.stop_iter}.pth'
    if r.nproc == 1:
        assert r.stopped.returncode == 128 + 15, out[-3000:]
    else:  # torchrun fails, with both ranks' exit status in its report
        assert r.stopped.returncode != 0, out[-3000:]
        assert out.count('exitcode  : 143') == 2, out[-3000:]
        out = out.partition(' failed (exitcode: ')[0]  # the ranks' output
    assert 'Traceback' not in out
    assert (f'SIGTERM received: stopped after iteration {r.stop_iter} '
            f'(epoch 2); resumable checkpoint {r.c / ckpt} (continue with '
            '--resume); exit status 143.') in out
    assert r.after_stop == ['epoch_1.pth', ckpt]
    assert r.last_after_stop == ckpt  # relative to the work dir
    saved = _load(r.c / ckpt)
    assert saved['meta']['epoch'] == 1 and saved['meta']['iter'] == r.stop_iter
    assert saved['rng_state']['world_size'] == r.nproc


@pytest.mark.slow
def test_resume_after_sigterm_repeats_the_uninterrupted_run(preempted):
    r = preempted
    out = r.resumed_c.stdout
    assert f'resumed epoch: 1, iter: {r.stop_iter}' in out
    assert f'the {r.stop_iter - r.ipe} batches of epoch 2 trained before ' \
        'the checkpoint are skipped' in out
    a, c = _scalars(r.a), _scalars(r.c)
    for it in range(r.ipe + 1, EPOCHS * r.ipe + 1):
        assert c[it]['loss'] == a[it]['loss'], (it, a[it], c[it])
    ca = _load(r.a / f'epoch_{EPOCHS}.pth')
    cc = _load(r.c / f'epoch_{EPOCHS}.pth')
    for key in ('state_dict', 'optimizer', 'param_schedulers', 'rng_state'):
        assert _equal(ca[key], cc[key], key) == [], key
    assert cc['meta']['iter'] == ca['meta']['iter'] == EPOCHS * r.ipe
