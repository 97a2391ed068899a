"""The schedule of AdAutoMix's two-player game: EMA momentum and phase."""
import math
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmpretrain.registry import HOOKS

ADV_MODES = ('alternate_sign', 'always_adversarial', 'cooperative')
_CKPT_KEY = 'adversarial_game'


@HOOKS.register_module()
class AdversarialOptimizerHook(Hook):
    r"""Drives the teacher momentum and the adversarial phase of a model with
    ``set_game_state(adversarial, generator_enabled)`` and
    ``update_teacher(momentum)`` (e.g. :class:`AdAutoMix`).

    EMA momentum at iteration t of T (the reference's ``CosineScheduleHook``
    with ``warming_up='constant'``, OpenMixup ``core/hooks/momentum_hook.py``):

    .. math::
        m_t = m_0 \quad (t < a_0 T), \qquad
        m_t = m_{end} - (m_{end} - m_0)\,\frac{\cos(\pi t / (a_1 T)) + 1}{2}
        \quad (a_0 T \le t \le a_1 T),\qquad m_t = m_{end} \ (t > a_1 T)

    with ``adjust_scope = (a0, a1)``. As in the reference, t/T is *not*
    rescaled to the window, so m jumps slightly at :math:`a_0 T`. The teacher
    is updated with :math:`m_t` after every iteration whose optimizer step
    really happened: with gradient accumulation
    (``optim_wrapper.accumulative_counts=k``) only every k-th iteration, as
    the reference's ``update_interval`` (the online weights do not change in
    between, so averaging them again would only shorten the EMA window).

    Phase of game step s (0-based count of training iterations, saved in
    checkpoints so a resumed run continues the same sequence):

    * ``'alternate_sign'`` (reference): adversarial iff
      ``s % adv_interval == 0``; with ``adv_interval=2`` iterations
      1, 3, 5, ... (1-based) are adversarial, the others cooperative.
    * ``'always_adversarial'`` / ``'cooperative'``: every step.

    ``adv_begin`` (fraction of T, default 0 = reference) keeps the game
    cooperative before that point (a generator warm-up). ``generator_off``
    (fraction of T, default None = never, the reference) stops training the
    generator from that point on.
    """

    priority = 'NORMAL'

    def __init__(self,
                 momentum: float = 0.999,
                 end_momentum: float = 0.999999,
                 adjust_scope: Sequence[float] = (0.1, 1.0),
                 warmup: Optional[str] = 'constant',
                 adv_interval: int = 2,
                 adv_mode: str = 'alternate_sign',
                 adv_begin: float = 0.0,
                 generator_off: Optional[float] = None):
        for key, value in (('momentum', momentum), ('end_momentum',
                                                    end_momentum)):
            if not 0.0 < value < 1.0:
                raise ValueError(f'{key} must be in (0, 1), got {value!r}')
        a0, a1 = (float(v) for v in adjust_scope)
        if not 0.0 <= a0 <= a1 <= 1.0 or a1 == 0.0:
            raise ValueError('adjust_scope must be (a0, a1) with 0 <= a0 <= '
                             f'a1 <= 1 and a1 > 0, got {adjust_scope!r}')
        if warmup not in ('constant', None):
            raise ValueError(f"warmup must be 'constant' or None, got {warmup!r}")
        if not isinstance(adv_interval, int) or adv_interval < 1:
            raise ValueError(f'adv_interval must be an int >= 1, got '
                             f'{adv_interval!r}')
        if adv_mode not in ADV_MODES:
            raise ValueError(f'adv_mode must be one of {ADV_MODES}, got '
                             f'{adv_mode!r}')
        if not 0.0 <= adv_begin <= 1.0:
            raise ValueError(f'adv_begin must be in [0, 1], got {adv_begin!r}')
        if generator_off is not None and not 0.0 <= generator_off <= 1.0:
            raise ValueError(f'generator_off must be None or in [0, 1], got '
                             f'{generator_off!r}')
        self.momentum = momentum
        self.end_momentum = end_momentum
        self.adjust_scope = (a0, a1)
        self.warmup = warmup
        self.adv_interval = adv_interval
        self.adv_mode = adv_mode
        self.adv_begin = adv_begin
        self.generator_off = generator_off
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

    def phase_at(self, step: int, t: int, total: int):
        """``(adversarial, generator_enabled)`` for game step ``step`` at
        iteration ``t`` of ``total``."""
        enabled = self.generator_off is None or t < self.generator_off * total
        if not enabled or t < self.adv_begin * total \
                or self.adv_mode == 'cooperative':
            return False, enabled
        if self.adv_mode == 'always_adversarial':
            return True, enabled
        return step % self.adv_interval == 0, enabled

    # ---------------------------------------------------------------- hooks
    @staticmethod
    def _model(runner):
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        for attr in ('set_game_state', 'update_teacher'):
            if not callable(getattr(model, attr, None)):
                raise TypeError(
                    f'AdversarialOptimizerHook needs a model with '
                    f'`{attr}()` (e.g. AdAutoMix), got {type(model).__name__}')
        return model

    def before_train(self, runner) -> None:
        self._model(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        t, total = runner.iter, runner.max_iters
        adversarial, enabled = self.phase_at(self.game_step, t, total)
        self._model(runner).set_game_state(adversarial, enabled)
        runner.message_hub.update_scalar('train/adv_phase', float(adversarial))
        runner.message_hub.update_scalar('train/ema_momentum',
                                         self.momentum_at(t, total))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if _optimizer_stepped(runner.optim_wrapper):
            momentum = self.momentum_at(runner.iter, runner.max_iters)
            self._model(runner).update_teacher(momentum)
        self.game_step += 1

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[_CKPT_KEY] = dict(game_step=self.game_step)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(_CKPT_KEY)
        if state is None:
            runner.logger.warning(
                'AdversarialOptimizerHook: the checkpoint has no game state; '
                f'continuing from iteration {runner.iter}.')
            self.game_step = int(checkpoint.get('meta', {}).get('iter', 0))
        else:
            self.game_step = int(state['game_step'])


def _optimizer_stepped(optim_wrapper) -> bool:
    """Did the iteration that just ran end with an optimizer step?

    ``OptimWrapper.should_update()`` is evaluated after ``update_params``
    here, with the same inner count it used to decide on the step. An
    ``OptimWrapperDict`` stepped if any of its wrappers did.
    """
    wrappers = optim_wrapper.values() if isinstance(
        optim_wrapper, OptimWrapperDict) else (optim_wrapper, )
    return any(w.should_update() for w in wrappers)
