"""The schedule of AdAutoMix's two-player game: EMA momentum and phase."""
from typing import Optional, Sequence

from mmpretrain.registry import HOOKS

from .momentum_schedule_hook import MomentumScheduleHook

ADV_MODES = ('alternate_sign', 'always_adversarial', 'cooperative')
_CKPT_KEY = 'adversarial_game'


@HOOKS.register_module()
class AdversarialOptimizerHook(MomentumScheduleHook):
    r""":class:`MomentumScheduleHook` plus AdAutoMix's game phase, for a
    model with ``set_game_state(adversarial, generator_enabled)`` and
    ``update_teacher(momentum)`` (e.g. :class:`AdAutoMix`).

    The EMA momentum :math:`m_t` and ``generator_off`` are the base hook's
    (the reference's ``CosineScheduleHook``, see there).

    Phase of game step s (0-based count of training iterations, saved in
    checkpoints so a resumed run continues the same sequence):

    * ``'alternate_sign'`` (reference): adversarial iff
      ``s % adv_interval == 0``; with ``adv_interval=2`` iterations
      1, 3, 5, ... (1-based) are adversarial, the others cooperative.
    * ``'always_adversarial'`` / ``'cooperative'``: every step.

    ``adv_begin`` (fraction of T, default 0 = reference) keeps the game
    cooperative before that point (a generator warm-up).
    """

    model_methods = ('set_game_state', 'update_teacher')

    def __init__(self,
                 momentum: float = 0.999,
                 end_momentum: float = 0.999999,
                 adjust_scope: Sequence[float] = (0.1, 1.0),
                 warmup: Optional[str] = 'constant',
                 adv_interval: int = 2,
                 adv_mode: str = 'alternate_sign',
                 adv_begin: float = 0.0,
                 generator_off: Optional[float] = None):
        super().__init__(
            momentum=momentum,
            end_momentum=end_momentum,
            adjust_scope=adjust_scope,
            warmup=warmup,
            generator_off=generator_off)
        if not isinstance(adv_interval, int) or adv_interval < 1:
            raise ValueError(f'adv_interval must be an int >= 1, got '
                             f'{adv_interval!r}')
        if adv_mode not in ADV_MODES:
            raise ValueError(f'adv_mode must be one of {ADV_MODES}, got '
                             f'{adv_mode!r}')
        if not 0.0 <= adv_begin <= 1.0:
            raise ValueError(f'adv_begin must be in [0, 1], got {adv_begin!r}')
        self.adv_interval = adv_interval
        self.adv_mode = adv_mode
        self.adv_begin = adv_begin
        self.game_step = 0

    def phase_at(self, step: int, t: int, total: int):
        """``(adversarial, generator_enabled)`` for game step ``step`` at
        iteration ``t`` of ``total``."""
        enabled = self.generator_enabled_at(t, total)
        if not enabled or t < self.adv_begin * total \
                or self.adv_mode == 'cooperative':
            return False, enabled
        if self.adv_mode == 'always_adversarial':
            return True, enabled
        return step % self.adv_interval == 0, enabled

    # ---------------------------------------------------------------- hooks
    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        t, total = runner.iter, runner.max_iters
        adversarial, enabled = self.phase_at(self.game_step, t, total)
        self._model(runner).set_game_state(adversarial, enabled)
        runner.message_hub.update_scalar('train/adv_phase', float(adversarial))
        runner.message_hub.update_scalar('train/ema_momentum',
                                         self.momentum_at(t, total))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
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

