"""PreemptionHook's parts, in process (the end-to-end SIGTERM runs and
their bit-exact resume are in tests/test_long_run_resume.py)."""
import signal
import types

import pytest
from mmengine.config import Config
from mmengine.logging import MessageHub

from adautomix_mm.cli import common as cli_common
from adautomix_mm.engine.hooks import PreemptionHook, TrainingPreempted


class _Logger:

    def __init__(self):
        self.lines = []

    def info(self, msg):
        self.lines.append(msg)

    warning = info


def _runner(tmp_path, name, **kw):
    saves = []

    def save_checkpoint(out_dir, filename, meta=None, by_epoch=True):
        saves.append((filename, meta, by_epoch))

    base = dict(iter=7, epoch=1, work_dir=str(tmp_path), logger=_Logger(),
                hooks=[], train_loop=types.SimpleNamespace(),
                message_hub=MessageHub.get_instance(name),
                save_checkpoint=save_checkpoint, saves=saves)
    base.update(kw)
    return types.SimpleNamespace(**base)


@pytest.mark.parametrize('kwargs, match', [
    (dict(signals=['SIGTREM']), "'SIGTREM'"),
    (dict(signals='SIGTERM'), "non-empty list.*'SIGTERM'"),
    (dict(signals=[]), 'non-empty list'),
    (dict(signals=[True]), 'True'),
    (dict(force_after=-1), 'force_after.*-1'),
    (dict(force_after='10'), "force_after.*'10'"),
])
def test_bad_options_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PreemptionHook(**kwargs)


def test_signals_by_name_or_number():
    hook = PreemptionHook(signals=['SIGUSR1', int(signal.SIGTERM), 'SIGUSR1'])
    assert hook.signals == (signal.SIGUSR1, signal.SIGTERM)
    assert PreemptionHook().signals == (signal.SIGTERM, signal.SIGINT,
                                        signal.SIGUSR1)


def test_signal_sets_a_flag_repeats_are_ignored_then_act_as_before(
        tmp_path):
    calls = []
    original = signal.signal(signal.SIGUSR1, lambda s, f: calls.append(s))
    previous = signal.getsignal(signal.SIGUSR1)
    try:
        hook = PreemptionHook(signals=['SIGUSR1'], force_after=3600)
        hook.before_train(_runner(tmp_path, 'preempt_flag'))
        assert hook._agreed_signal() is None
        signal.raise_signal(signal.SIGUSR1)
        assert hook._agreed_signal() == signal.SIGUSR1 and calls == []
        signal.raise_signal(signal.SIGUSR1)  # e.g. forwarded by torchrun
        assert calls == []
        hook.force_after = 0  # a later repeat: as without the hook
        signal.raise_signal(signal.SIGUSR1)
        assert calls == [signal.SIGUSR1]
        assert signal.getsignal(signal.SIGUSR1) is previous
    finally:
        signal.signal(signal.SIGUSR1, original)


def test_mid_run_stop_saves_names_and_exits(tmp_path):
    runner = _runner(tmp_path, 'preempt_save')
    hook = PreemptionHook()
    hook._received = signal.SIGTERM
    with pytest.raises(TrainingPreempted) as stop:
        hook.after_train_iter(runner, 0)
    assert stop.value.code == 143 and stop.value.signum == signal.SIGTERM
    assert stop.value.signals == hook.signals  # tools/train.py ignores them
    # Iteration 8 (1-based) finished; not an epoch-based loop: by iteration.
    assert runner.saves == [('iter_8.pth', dict(epoch=1, iter=8), False)]
    path = str(tmp_path / 'iter_8.pth')
    assert (tmp_path / 'last_checkpoint').read_text() == 'iter_8.pth'
    assert runner.message_hub.get_info('last_ckpt') == path
    assert runner.logger.lines == [
        f'SIGTERM received: stopped after iteration 8 (epoch 2); resumable '
        f'checkpoint {path} (continue with --resume); exit status 143.']


def test_stop_in_an_epoch_last_iteration_saves_the_epoch(tmp_path):
    from mmengine.runner import EpochBasedTrainLoop
    loop = object.__new__(EpochBasedTrainLoop)  # 4 iterations per epoch
    loop.dataloader = [None] * 4
    runner = _runner(tmp_path, 'preempt_epoch', train_loop=loop)
    hook = PreemptionHook()
    hook._received = signal.SIGUSR1
    hook.after_train_iter(runner, 3)  # iteration 8 ends epoch 2
    assert runner.saves == []
    runner.iter = 8  # as the loop counts after the iteration
    with pytest.raises(TrainingPreempted) as stop:
        hook.after_train_epoch(runner)
    assert stop.value.code == 138
    # As CheckpointHook's epoch checkpoint: resumes at epoch 3.
    assert runner.saves == [('epoch_2.pth', dict(epoch=2, iter=8), True)]
    assert 'stopped after iteration 8 (epoch 2)' in runner.logger.lines[0]


def test_no_second_save_when_checkpoint_hook_just_saved(tmp_path):
    runner = _runner(tmp_path, 'preempt_saved')
    hook = PreemptionHook()
    hook.before_train_iter(runner, 0)
    runner.message_hub.update_info('last_ckpt', '/wd/iter_8.pth')
    hook._received = signal.SIGINT
    with pytest.raises(TrainingPreempted) as stop:
        hook.after_train_iter(runner, 0)
    assert stop.value.code == 130 and stop.value.checkpoint == '/wd/iter_8.pth'
    assert runner.saves == []


def test_runtime_and_entry_points_install_it(repo_root):
    runtime = Config.fromfile(str(repo_root / 'configs' / '_base_' /
                                  'default_runtime.py'))
    assert runtime.default_hooks.preemption == dict(type='PreemptionHook')
    cfg = Config(dict(default_hooks=dict()))
    cli_common.add_long_run_hooks(cfg)
    assert cfg.default_hooks.preemption == dict(type='PreemptionHook')
    off = Config(dict(default_hooks=dict(preemption=None)))
    cli_common.add_long_run_hooks(off)
    assert 'preemption' not in off.default_hooks
