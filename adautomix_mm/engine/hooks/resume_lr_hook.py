"""Resume with a different learning rate (``--resume-lr-scale``).

``Runner.resume`` restores the optimizer's learning rates and the parameter
schedulers' state from the checkpoint, so changing ``optimizer.lr`` in the
config has no effect on a resumed run, and setting the optimizer's rate
after the resume would be undone by the schedulers (MMEngine's schedulers
compute the next rate from their stored ``base_values``/``_last_value`` or
from the current rate). This hook multiplies, in the loaded checkpoint and
before the runner restores it, every learning rate by ``scale``:

* each optimizer parameter group's ``lr`` and ``initial_lr`` (every
  optimizer of an ``OptimWrapperDict``);
* each learning-rate scheduler's ``base_values``, ``_last_value`` and
  ``eta_min``.

All of MMEngine's learning-rate schedules are linear in these values, so the
resumed run follows the original schedule times ``scale`` from the resumed
step on. Checkpoints written afterwards hold the scaled rates: pass the
option once, on the resume that should change the rate.
"""
from typing import List

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

SCALED_GROUP_KEYS = ('lr', 'initial_lr')
SCALED_SCHEDULER_KEYS = ('base_values', '_last_value', 'eta_min')


def _scale(value, scale: float):
    if isinstance(value, (list, tuple)):
        return type(value)(_scale(v, scale) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value * scale
    return value


def scale_learning_rates(state, scale: float, found: List[str],
                         path: str = '') -> None:
    """Scale, in place, the learning rates of optimizer and scheduler states
    found anywhere in ``state``; ``found`` collects ``'path: old -> new'``."""
    if isinstance(state, dict):
        if isinstance(state.get('param_groups'), list):
            for i, group in enumerate(state['param_groups']):
                old = group.get('lr')
                for key in SCALED_GROUP_KEYS:
                    if key in group:
                        group[key] = _scale(group[key], scale)
                found.append(f'{path}param_groups[{i}].lr: {old} -> '
                             f'{group.get("lr")}')
            return
        if state.get('param_name') == 'lr' and 'base_values' in state:
            for key in SCALED_SCHEDULER_KEYS:
                if state.get(key) is not None:
                    state[key] = _scale(state[key], scale)
            return
        for key, value in state.items():
            scale_learning_rates(value, scale, found, f'{path}{key}.')
    elif isinstance(state, (list, tuple)):
        for i, value in enumerate(state):
            scale_learning_rates(value, scale, found, f'{path}{i}.')


@HOOKS.register_module()
class ResumeLrScaleHook(Hook):
    """Multiply the learning rates restored by a resume by ``scale``.

    Added by ``tools/train.py --resume ... --resume-lr-scale SCALE``.

    Args:
        scale (float): factor for every learning rate and the rest of its
            schedule, e.g. 0.1.
    """

    priority = 'VERY_HIGH'

    def __init__(self, scale: float):
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) \
                or not scale > 0:
            raise ValueError('ResumeLrScaleHook: scale must be a positive '
                             f'number, got {scale!r}')
        self.scale = float(scale)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not getattr(runner, '_resume', False):
            return  # load_from: nothing of the optimizer is restored
        found: List[str] = []
        scale_learning_rates(checkpoint.get('optimizer', {}), self.scale,
                             found, 'optimizer.')
        scale_learning_rates(checkpoint.get('param_schedulers', []),
                             self.scale, [])
        if not found:
            raise RuntimeError(
                '--resume-lr-scale: the resumed checkpoint holds no '
                'optimizer state, so there is no learning rate to scale.')
        runner.logger.info(
            f'Resume: learning rates and their schedules x {self.scale:g} '
            f'(--resume-lr-scale): {"; ".join(found)}.')
