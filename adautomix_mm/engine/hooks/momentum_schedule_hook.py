"""The EMA-teacher schedule shared by every learned mixer with a teacher."""
import math
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class MomentumScheduleHook(Hook):
    r"""Schedules the EMA teacher's momentum and the generator's late stop of
    a model with ``update_teacher(momentum)`` and
    ``set_schedule_state(generator_enabled, progress)`` (e.g.
    :class:`AutoMix`; :class:`AdversarialOptimizerHook` adds AdAutoMix's
    game phase on top).

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

    ``generator_off`` (fraction of T, default None = never, the reference)
    stops training the generator from that point on. The model also gets the
    training progress t/T before every iteration (AutoMix's ``switch_off``
    annealing reads it).
    """

    priority = 'NORMAL'
    # Methods the driven model must have.
    model_methods = ('set_schedule_state', 'update_teacher')

    def __init__(self,
                 momentum: float = 0.999,
                 end_momentum: float = 0.999999,
                 adjust_scope: Sequence[float] = (0.1, 1.0),
                 warmup: Optional[str] = 'constant',
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
        if generator_off is not None and not 0.0 <= generator_off <= 1.0:
            raise ValueError(f'generator_off must be None or in [0, 1], got '
                             f'{generator_off!r}')
        self.momentum = momentum
        self.end_momentum = end_momentum
        self.adjust_scope = (a0, a1)
        self.warmup = warmup
        self.generator_off = generator_off

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

    # ---------------------------------------------------------------- hooks
    def _model(self, runner):
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        for attr in self.model_methods:
            if not callable(getattr(model, attr, None)):
                raise TypeError(
                    f'{type(self).__name__} needs a model with `{attr}()`, '
                    f'got {type(model).__name__}')
        return model

    def before_train(self, runner) -> None:
        self._model(runner)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        t, total = runner.iter, runner.max_iters
        self._model(runner).set_schedule_state(
            self.generator_enabled_at(t, total), t / max(total, 1))
        runner.message_hub.update_scalar('train/ema_momentum',
                                         self.momentum_at(t, total))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if _optimizer_stepped(runner.optim_wrapper):
            momentum = self.momentum_at(runner.iter, runner.max_iters)
            self._model(runner).update_teacher(momentum)


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
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        if not callable(getattr(model, 'set_mask_loss_weight', None)):
            raise TypeError('MaskLossScheduleHook needs a model with '
                            '`set_mask_loss_weight()` (e.g. AutoMix), got '
                            f'{type(model).__name__}')
        return model

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
