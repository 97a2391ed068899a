"""Cosine LR annealing with its own floor per parameter group.

The reference's ImageNet, fine-grained and ConvNeXt recipes anneal the Mix
Block to a floor of its own (e.g. 0.1 -> 1e-3 while the classifier goes to 0;
OpenMixup's ``addtional_scheduler``). MMEngine's ``CosineAnnealingLR`` has
one ``eta_min`` for every group, and no maintained scheduler reads a floor
per group, hence this subclass.
"""
import math

from mmengine.optim.scheduler import CosineAnnealingLR
from mmpretrain.registry import PARAM_SCHEDULERS

GROUP_KEY = 'eta_min'


@PARAM_SCHEDULERS.register_module()
class GroupCosineAnnealingLR(CosineAnnealingLR):
    r"""MMEngine's ``CosineAnnealingLR`` with a floor per parameter group.

    A parameter group holding an ``eta_min`` key anneals to that floor, the
    other groups to the scheduler's ``eta_min`` (or ``eta_min_ratio``):

    .. math::
        \eta_t^{(g)} = \eta_{min}^{(g)} + \tfrac{1}{2}(\eta_{max}^{(g)} -
        \eta_{min}^{(g)})\,\big(1 + \cos(\pi t / T_{max})\big)

    The key reaches the group through ``paramwise_cfg.custom_keys``, whose
    entries MMEngine copies into every matching group::

        optim_wrapper = dict(paramwise_cfg=dict(custom_keys={
            'mix_block': dict(lr_mult=100.0, eta_min=1e-3)}))
        param_scheduler = dict(type='GroupCosineAnnealingLR', eta_min=0.0,
                               T_max=200, by_epoch=True)

    With no group carrying the key it is exactly ``CosineAnnealingLR``
    (same chainable update, so it composes with warm-up schedulers).
    """

    def __init__(self, optimizer, *args, **kwargs):
        for i, group in enumerate(optimizer.param_groups):
            floor = group.get(GROUP_KEY)
            if floor is not None and not (isinstance(floor, (int, float))
                                          and floor >= 0):
                raise ValueError(
                    f'GroupCosineAnnealingLR: parameter group {i} has '
                    f'{GROUP_KEY}={floor!r}; it must be a number >= 0')
        super().__init__(optimizer, *args, **kwargs)

    def _floor(self, base_value: float, group: dict) -> float:
        if group.get(GROUP_KEY) is not None:
            return float(group[GROUP_KEY])
        if self.eta_min_ratio is not None:
            return base_value * self.eta_min_ratio
        return self.eta_min

    def _get_value(self) -> list:
        # MMEngine's chainable cosine step (CosineAnnealingParamScheduler.
        # _get_value), with the floor looked up per group.
        groups = self.optimizer.param_groups
        if self.last_step == 0:
            return [group[self.param_name] for group in groups]
        t, t_max = self.last_step, self.T_max
        restart = (t - 1 - t_max) % (2 * t_max) == 0
        values = []
        for base, group in zip(self.base_values, groups):
            floor, current = self._floor(base, group), group[self.param_name]
            if restart:
                values.append(current + (base - floor) *
                              (1 - math.cos(math.pi / t_max)) / 2)
            else:
                values.append((1 + math.cos(math.pi * t / t_max)) /
                              (1 + math.cos(math.pi * (t - 1) / t_max)) *
                              (current - floor) + floor)
        return values
