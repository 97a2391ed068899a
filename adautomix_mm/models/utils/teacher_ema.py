"""EMA teacher with a choice of what happens to its buffers (BN statistics)."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import ExponentialMovingAverage

BUFFER_MODES = ('own', 'copy', 'average')


class TeacherEMA(ExponentialMovingAverage):
    r"""Momentum teacher :math:`\theta_k \leftarrow m\,\theta_k +
    (1-m)\,\theta_q` over parameters, built on MMEngine's EMA.

    ``buffer_mode`` chooses the teacher's buffers:

    * ``'own'`` (reference): buffers are never touched by the update; the
      teacher's BN statistics evolve from its own train-mode forward passes,
      as in the reference ``momentum_update`` (parameters only). MMEngine's
      EMA has no such mode (with ``update_buffers=False`` it *copies* the
      online buffers), hence this subclass.
    * ``'copy'``: MMEngine's ``update_buffers=False``.
    * ``'average'``: MMEngine's ``update_buffers=True`` (EMA of buffers too).

    Unlike MMEngine's EMA, the copy at construction counts as the first
    step, so the first update after an optimizer step already averages.
    Note MMEngine's ``momentum`` is the update rate ``1 - m``; use
    :meth:`set_teacher_momentum` to speak in the reference's ``m``.
    """

    def __init__(self,
                 model: nn.Module,
                 teacher_momentum: float = 0.999,
                 buffer_mode: str = 'own',
                 device: Optional[torch.device] = None):
        if buffer_mode not in BUFFER_MODES:
            raise ValueError(f'teacher_buffers must be one of {BUFFER_MODES}, '
                             f'got {buffer_mode!r}')
        _check_momentum(teacher_momentum)
        super().__init__(
            model,
            momentum=1.0 - teacher_momentum,
            interval=1,
            device=device,
            update_buffers=buffer_mode == 'average')
        self.buffer_mode = buffer_mode
        self.steps.fill_(1)

    def set_teacher_momentum(self, m: float) -> None:
        _check_momentum(m)
        self.momentum = 1.0 - m

    @torch.no_grad()
    def reset_from(self, model: nn.Module) -> None:
        """Make the teacher an exact copy of ``model`` (params and buffers)."""
        self.module.load_state_dict(model.state_dict())
        self.steps.fill_(1)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        if self.buffer_mode != 'own':
            return super().update_parameters(model)
        src = dict(model.named_parameters())
        for name, p_avg in self.avg_parameters.items():
            if p_avg.dtype.is_floating_point:
                self.avg_func(p_avg.data, src[name].data.to(p_avg.device),
                              self.steps)
        self.steps += 1


def _check_momentum(m: float) -> None:
    if not 0.0 < float(m) < 1.0:
        raise ValueError(f'teacher momentum m must be in (0, 1), got {m!r}')
