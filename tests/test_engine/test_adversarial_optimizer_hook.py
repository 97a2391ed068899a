"""AdversarialOptimizerHook: the reference momentum schedule, the phase
sequence, checkpointed game state and configuration errors."""
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmpretrain.registry import HOOKS

import adautomix_mm  # noqa: F401
from adautomix_mm.engine.hooks import AdversarialOptimizerHook


def reference_hook(**kw):
    cfg = dict(type='AdversarialOptimizerHook', momentum=0.999,
               end_momentum=0.999999, adjust_scope=(0.1, 1.0))
    cfg.update(kw)
    return HOOKS.build(cfg)


def test_momentum_schedule_matches_reference_values():
    hook = reference_hook()
    total = 10000
    assert hook.momentum_at(0, total) == 0.999
    # Constant warm-up up to the end of a0 * T ...
    assert hook.momentum_at(999, total) == 0.999
    # ... then the un-rescaled cosine: at t = 0.1 T,
    # m = 0.999999 - 0.000999 * (cos(0.1 pi) + 1) / 2 = 0.99902445...
    assert hook.momentum_at(1000, total) == pytest.approx(0.999024447, abs=1e-9)
    assert hook.momentum_at(5000, total) == pytest.approx(0.9994995, abs=1e-9)
    assert hook.momentum_at(total, total) == pytest.approx(0.999999, abs=1e-12)


def test_momentum_scope_upper_bound_and_no_warmup():
    hook = reference_hook(adjust_scope=(0.25, 0.5), warmup=None)
    total = 100
    # No warm-up: the cosine from t=0 (equal to m0 at t=0 anyway).
    assert hook.momentum_at(10, total) == pytest.approx(
        0.999999 - 0.000999 * (math.cos(math.pi * 10 / 50) + 1) / 2)
    assert hook.momentum_at(50, total) == pytest.approx(0.999999)
    assert hook.momentum_at(80, total) == 0.999999


def phases(hook, n, total=100):
    return [hook.phase_at(s, s, total) for s in range(n)]


def test_phase_sequence_alternates_with_period_adv_interval():
    two = phases(reference_hook(adv_interval=2), 6)
    assert [a for a, _ in two] == [True, False, True, False, True, False]
    three = phases(reference_hook(adv_interval=3), 6)
    assert [a for a, _ in three] == [True, False, False, True, False, False]
    assert all(enabled for _, enabled in two)
    always = phases(reference_hook(adv_mode='always_adversarial'), 4)
    assert [a for a, _ in always] == [True] * 4
    coop = phases(reference_hook(adv_mode='cooperative'), 4)
    assert [a for a, _ in coop] == [False] * 4


def test_adversarial_warmup_and_generator_switch_off():
    hook = reference_hook(adv_begin=0.2, generator_off=0.5)
    seq = phases(hook, 100)
    assert not any(a for a, _ in seq[:20])
    assert seq[20] == (True, True) and seq[21] == (False, True)
    assert all(enabled for _, enabled in seq[:50])
    assert seq[50:] == [(False, False)] * 50


class FakeModel:
    """The schedule protocol of a model with AdAutoMix's game."""
    PLAYS_GAME = True

    def __init__(self):
        self.states, self.momenta = [], []

    def set_schedule_state(self, generator_enabled, progress, adversarial):
        self.states.append((adversarial, generator_enabled))

    def update_teacher(self, momentum):
        self.momenta.append(momentum)


def fake_runner(model, max_iters=10, accumulative_counts=1):
    hub = MessageHub.get_instance('adv_hook_test')
    # A real MMEngine optimizer wrapper decides when a step happens.
    param = torch.nn.Parameter(torch.zeros(1))
    wrapper = OptimWrapper(torch.optim.SGD([param], lr=0.1),
                           accumulative_counts=accumulative_counts)
    wrapper.initialize_count_status(torch.nn.Linear(1, 1), 0, max_iters)
    return SimpleNamespace(model=model, iter=0, max_iters=max_iters,
                           message_hub=hub, optim_wrapper=wrapper,
                           param=param,
                           logger=SimpleNamespace(warning=lambda msg: None))


def run_iters(hook, runner, n):
    """What MMEngine's train loop does around ``train_step``."""
    for _ in range(n):
        hook.before_train_iter(runner, 0)
        runner.optim_wrapper.update_params(runner.param.sum())
        hook.after_train_iter(runner, 0)
        runner.iter += 1


def test_hook_drives_model_logs_and_checkpoints_game_state():
    model = FakeModel()
    runner = fake_runner(model)
    hook = reference_hook(momentum=0.99, end_momentum=0.9999)
    hook.before_train(runner)
    run_iters(hook, runner, 3)
    assert [a for a, _ in model.states] == [True, False, True]
    assert model.momenta == [hook.momentum_at(t, 10) for t in range(3)]
    assert runner.message_hub.get_scalar('train/adv_phase').current() == 1.0
    assert runner.message_hub.get_scalar('train/ema_momentum').current() \
        == pytest.approx(hook.momentum_at(2, 10))
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['adversarial_game'] == dict(game_step=3)

    # A fresh hook restored from the checkpoint continues the same phases
    # (the reference restarted at "adversarial" on every resume).
    resumed_model = FakeModel()
    resumed_runner = fake_runner(resumed_model)
    resumed_runner.iter = 3
    resumed = reference_hook(momentum=0.99, end_momentum=0.9999)
    resumed.after_load_checkpoint(resumed_runner, checkpoint)
    run_iters(resumed, resumed_runner, 2)
    run_iters(hook, runner, 2)
    assert resumed_model.states == model.states[3:]


def test_teacher_updates_only_after_real_optimizer_steps():
    # Gradient accumulation over 2 iterations, 5 iterations in all: the
    # optimizer steps after iterations 1, 3 (every 2nd) and 4 (the last).
    model = FakeModel()
    runner = fake_runner(model, max_iters=5, accumulative_counts=2)
    hook = reference_hook(momentum=0.99, end_momentum=0.9999)
    run_iters(hook, runner, 5)
    assert model.momenta == [hook.momentum_at(t, 5) for t in (1, 3, 4)]
    # The game's phase still alternates per iteration, as the reference.
    assert [a for a, _ in model.states] == [True, False, True, False, True]
    assert hook.game_step == 5


def test_old_checkpoint_without_game_state_falls_back_to_iteration():
    hook = reference_hook()
    hook.after_load_checkpoint(fake_runner(FakeModel()), {'meta': {'iter': 7}})
    assert hook.game_step == 7


def test_hook_rejects_models_without_the_game_api():
    hook = reference_hook()
    with pytest.raises(TypeError, match='ImageClassifier'):
        hook.before_train(fake_runner(type('ImageClassifier', (), {})()))


@pytest.mark.parametrize('kw, key', [
    (dict(momentum=1.0), 'momentum'),
    (dict(adjust_scope=(0.5, 0.2)), 'adjust_scope'),
    (dict(warmup='linear'), 'warmup'),
    (dict(adv_interval=0), 'adv_interval'),
    (dict(adv_mode='gan'), 'adv_mode'),
    (dict(generator_off=2.0), 'generator_off'),
])
def test_bad_arguments_name_the_key(kw, key):
    with pytest.raises(ValueError, match=key):
        reference_hook(**kw)


def test_unknown_key_is_rejected():
    # The reference configs passed `interval=1`, which its hook ignored.
    with pytest.raises(TypeError, match='interval'):
        reference_hook(interval=1)
    assert isinstance(reference_hook(), AdversarialOptimizerHook)


class FakeNoGameModel(FakeModel):
    """The same protocol for a model without a game (AutoMix)."""
    PLAYS_GAME = False


def test_one_hook_for_both_protocol_users():
    # The old name is the same hook with the game on by default.
    game = reference_hook(momentum=0.99, end_momentum=0.9999)
    plain = HOOKS.build(dict(type='MomentumScheduleHook', momentum=0.99,
                             end_momentum=0.9999))
    assert type(plain).__mro__[0] is type(game).__mro__[1]
    assert plain.adv_mode is None and game.adv_mode == 'alternate_sign'
    # Without a game the model gets adversarial=None and nothing about a
    # game is logged or checkpointed; the teacher schedule is the same.
    model = FakeNoGameModel()
    runner = fake_runner(model)
    runner.message_hub = MessageHub.get_instance('plain_hook_test')
    plain.before_train(runner)
    run_iters(plain, runner, 3)
    assert model.states == [(None, True)] * 3
    assert model.momenta == [game.momentum_at(t, 10) for t in range(3)]
    assert 'train/adv_phase' not in runner.message_hub.log_scalars
    checkpoint = {}
    plain.before_save_checkpoint(runner, checkpoint)
    assert checkpoint == {}
    # Each hook refuses the other kind of model, naming what to use.
    with pytest.raises(TypeError, match='AdversarialOptimizerHook'):
        plain.before_train(fake_runner(FakeModel()))
    with pytest.raises(TypeError, match='set_game_state'):
        game.before_train(fake_runner(FakeNoGameModel()))
