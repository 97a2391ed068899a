"""The schedule of the learned mixers: EMA momentum, generator stop and
AdAutoMix's game phase, one hook for one model protocol."""
import math
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.optim import OptimWrapperDict
from mmpretrain.registry import HOOKS

from .runner_model import model_with

ADV_MODES = ('alternate_sign', 'always_adversarial', 'cooperative')
_CKPT_KEY = 'adversarial_game'


@HOOKS.register_module()
class MomentumScheduleHook(Hook):
    r"""Drives a learned mixer's schedule through one protocol: before every
    iteration ``model.set_schedule_state(generator_enabled, progress,
    adversarial)``, after every optimizer step ``model.update_teacher(m_t)``
    (:class:`MomentumMixClassifier`: AdAutoMix, AutoMix).

    EMA momentum at iteration t of T (the reference's ``CosineScheduleHook``
    with ``warming_up='constant'``, OpenMixup ``core/hooks/momentum_hook.py``):

    .. math::
        m_t = m_0 \quad (t < a_0 T), \qquad
        m_t = m_{end} - (m_{end} - m_0)\,\frac{\cos(\pi t / (a_1 T)) + 1}{2}
        \quad (a_0 T \le t \le a_1 T),\qquad m_t = m_{end} \ (t > a_1 T)

    with ``adjust_scope = (a0, a1)``; t/T is *not* rescaled to the window
    (as the reference). The teacher is updated only after iterations whose
    optimizer step really happened (gradient accumulation: the reference's
    ``update_interval``).

    ``generator_off`` (fraction of T; None = never, the reference) stops
    training the generator from that point on; ``progress`` = t/T.

    Game phase (``adv_mode``; None = no game, for models without one such as
    AutoMix; a model with a game, :attr:`PLAYS_GAME`, needs one). Of game
    step s (the count of training iterations, saved in checkpoints so a
    resumed run continues the same sequence):
    ``'alternate_sign'`` (reference): adversarial iff ``s % adv_interval ==
    0``; ``'always_adversarial'`` / ``'cooperative'``: every step.
    ``adv_begin`` (fraction of T, default 0 = reference) keeps the game
    cooperative before that point.

    Args:
        momentum, end_momentum (float): :math:`m_0, m_{end}` in (0, 1).
        adjust_scope (tuple): :math:`(a_0, a_1)`.
        warmup (str | None): 'constant' (reference) or None.
        generator_off (float | None): see above.
        adv_mode (str | None), adv_interval (int), adv_begin (float): the
            game phase, see above.
    """

    priority = 'NORMAL'

    def __init__(self,
                 momentum: float = 0.999,
                 end_momentum: float = 0.999999,
                 adjust_scope: Sequence[float] = (0.1, 1.0),
                 warmup: Optional[str] = 'constant',
                 generator_off: Optional[float] = None,
                 adv_mode: Optional[str] = None,
                 adv_interval: int = 2,
                 adv_begin: float = 0.0):
        for key, value in (('momentum', momentum), ('end_momentum',
                                                    end_momentum)):
            if isinstance(value, bool) or \
                    not isinstance(value, (int, float)) or \
                    not 0.0 < value < 1.0:
                raise ValueError(f'{type(self).__name__}: {key} must be a '
                                 f'number in (0, 1), got {value!r}')
        a0, a1 = (float(v) for v in adjust_scope)
        if not 0.0 <= a0 <= a1 <= 1.0 or a1 == 0.0:
            raise ValueError('adjust_scope must be (a0, a1) with 0 <= a0 <= '
                             f'a1 <= 1 and a1 > 0, got {adjust_scope!r}')
        if warmup not in ('constant', None):
            raise ValueError(f"warmup must be 'constant' or None, got {warmup!r}")
        if generator_off is not None and not 0.0 <= generator_off <= 1.0:
            raise ValueError(f'generator_off must be None or in [0, 1], got '
                             f'{generator_off!r}')
        if adv_mode is not None and adv_mode not in ADV_MODES:
            raise ValueError(f'adv_mode must be None or one of {ADV_MODES}, '
                             f'got {adv_mode!r}')
        if isinstance(adv_interval, bool) or \
                not isinstance(adv_interval, int) or adv_interval < 1:
            raise ValueError(f'adv_interval must be an int >= 1, got '
                             f'{adv_interval!r}')
        if not 0.0 <= adv_begin <= 1.0:
            raise ValueError(f'adv_begin must be in [0, 1], got {adv_begin!r}')
        self.momentum = momentum
        self.end_momentum = end_momentum
        self.adjust_scope = (a0, a1)
        self.warmup = warmup
        self.generator_off = generator_off
        self.adv_mode = adv_mode
        self.adv_interval = adv_interval
        self.adv_begin = adv_begin
        self.game_step = 0

    # ------------------------------------------------------------ schedules
    def momentum_at(self, t: int, total: int) -> float:
        """EMA momentum :math:`m_t` for iteration ``t`` of ``total``."""
        a0, a1 = self.adjust_scope
        if self.warmup == 'constant' and t < a0 * total:
            return self.momentum
        if t > a1 * total:
            return self.end_momentum
        cos = (math.cos(math.pi * t / (a1 * total)) + 1.0) / 2.0
        return self.end_momentum - (self.end_momentum - self.momentum) * cos

    def generator_enabled_at(self, t: int, total: int) -> bool:
        return self.generator_off is None or t < self.generator_off * total

    def phase_at(self, step: int, t: int, total: int):
        """``(adversarial, generator_enabled)`` for game step ``step`` at
        iteration ``t`` of ``total`` (``adversarial`` None without a game)."""
        enabled = self.generator_enabled_at(t, total)
        if self.adv_mode is None:
            return None, enabled
        if not enabled or t < self.adv_begin * total \
                or self.adv_mode == 'cooperative':
            return False, enabled
        if self.adv_mode == 'always_adversarial':
            return True, enabled
        return step % self.adv_interval == 0, enabled

    # ---------------------------------------------------------------- hooks
    def _model(self, runner):
        name = type(self).__name__
        model = model_with(runner.model, name,
                           ('set_schedule_state', 'update_teacher'),
                           'AdAutoMix, AutoMix')
        plays = getattr(model, 'PLAYS_GAME', False)
        if self.adv_mode is not None and not plays:
            raise TypeError(
                f'{name} with adv_mode={self.adv_mode!r} needs a model that '
                'plays the adversarial game (`set_game_state()`, e.g. '
                f'AdAutoMix), got {type(model).__name__}: use '
                "dict(type='MomentumScheduleHook') without adv_mode")
        if self.adv_mode is None and plays:
            raise TypeError(
                f'{type(model).__name__} plays an adversarial game: use '
                "dict(type='AdversarialOptimizerHook') (or set adv_mode of "
                f'{name})')
        return model

    def before_train(self, runner) -> None:
        self._model(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        t, total = runner.iter, runner.max_iters
        adversarial, enabled = self.phase_at(self.game_step, t, total)
        self._model(runner).set_schedule_state(enabled, t / max(total, 1),
                                               adversarial)
        if adversarial is not None:
            runner.message_hub.update_scalar('train/adv_phase',
                                             float(adversarial))
        runner.message_hub.update_scalar('train/ema_momentum',
                                         self.momentum_at(t, total))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if _optimizer_stepped(runner.optim_wrapper):
            momentum = self.momentum_at(runner.iter, runner.max_iters)
            self._model(runner).update_teacher(momentum)
        self.game_step += 1

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.adv_mode is not None:
            checkpoint[_CKPT_KEY] = dict(game_step=self.game_step)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.adv_mode is None:
            return
        state = checkpoint.get(_CKPT_KEY)
        if state is None:
            runner.logger.warning(
                f'{type(self).__name__}: the checkpoint has no game state; '
                f'continuing from iteration {runner.iter}.')
            self.game_step = int(checkpoint.get('meta', {}).get('iter', 0))
        else:
            self.game_step = int(state['game_step'])


@HOOKS.register_module()
class AdversarialOptimizerHook(MomentumScheduleHook):
    """The registry name of the AdAutoMix recipes:
    :class:`MomentumScheduleHook` with the reference's game on by default
    (``adv_mode='alternate_sign'``, ``adv_interval=2``)."""

    def __init__(self, *args, adv_mode: Optional[str] = 'alternate_sign',
                 **kwargs):
        super().__init__(*args, adv_mode=adv_mode, **kwargs)


@HOOKS.register_module()
class MaskLossScheduleHook(Hook):
    r"""Cosine annealing of a model's mask-loss weight over iterations (the
    reference's ``CustomCosineAnnealingHook(attr_name='mask_loss',
    by_epoch=False)`` of AutoMix's ImageNet and ViT recipes):

    .. math:: w_t = w_{end} + (w_0 - w_{end})\,\frac{\cos(\pi t/T) + 1}{2}

    :math:`w_0` = ``start`` (``None``: the model's configured ``mask_loss``).
    Computed from the iteration, so a resumed run continues the schedule.
    The model needs ``set_mask_loss_weight(w)`` and ``mask_loss_init``.
    """

    priority = 'NORMAL'

    def __init__(self, start: Optional[float] = None, end: float = 0.0):
        if start is not None and not float(start) >= 0.0:
            raise ValueError(f'start must be None or >= 0, got {start!r}')
        if not float(end) >= 0.0:
            raise ValueError(f'end must be >= 0, got {end!r}')
        self.start = start
        self.end = float(end)

    def weight_at(self, t: int, total: int, start: float) -> float:
        cos = (math.cos(math.pi * t / max(total, 1)) + 1.0) / 2.0
        return self.end + (start - self.end) * cos

    def _model(self, runner):
        return model_with(runner.model, 'MaskLossScheduleHook',
                          ('set_mask_loss_weight', ), 'AutoMix')

    def before_train(self, runner) -> None:
        self._model(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        model = self._model(runner)
        start = model.mask_loss_init if self.start is None else self.start
        weight = self.weight_at(runner.iter, runner.max_iters, float(start))
        model.set_mask_loss_weight(weight)
        runner.message_hub.update_scalar('train/mask_loss_weight', weight)


def _optimizer_stepped(optim_wrapper) -> bool:
    """Did the iteration that just ran end with an optimizer step?

    ``OptimWrapper.should_update()`` is evaluated after ``update_params``
    here, with the same inner count it used to decide on the step. An
    ``OptimWrapperDict`` stepped if any of its wrappers did.
    """
    wrappers = optim_wrapper.values() if isinstance(
        optim_wrapper, OptimWrapperDict) else (optim_wrapper, )
    return any(w.should_update() for w in wrappers)
