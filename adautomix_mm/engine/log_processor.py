"""MMEngine's ``LogProcessor`` with a readable training line.

Two changes to what the interval line shows, nothing else (the values, the
averaging window and ``scalars.json`` are MMEngine's):

* ``first_keys`` come first among the logged scalars, in that order (the
  learned mixers' classifier loss ``loss_cls`` before the headline ``loss``,
  which also holds the generator's objective whose sign flips with the
  adversarial game);
* ``flag_keys`` are logged as integers (``adv_phase: 1``, not ``1.0000``),
  when their value is a whole number.
"""
from collections import OrderedDict
from typing import List, Optional, Sequence

from mmengine.runner import LogProcessor
from mmpretrain.registry import LOG_PROCESSORS


@LOG_PROCESSORS.register_module()
class ReadableLogProcessor(LogProcessor):
    """``LogProcessor`` whose ``first_keys`` lead the scalars of the log
    line and whose ``flag_keys`` print as integers."""

    def __init__(self,
                 window_size=10,
                 by_epoch: bool = True,
                 custom_cfg: Optional[List[dict]] = None,
                 num_digits: int = 4,
                 log_with_hierarchy: bool = False,
                 mean_pattern: str = r'.*(loss|time|data_time|grad_norm).*',
                 first_keys: Sequence[str] = ('loss_cls', 'loss'),
                 flag_keys: Sequence[str] = ('adv_phase', )):
        super().__init__(window_size=window_size, by_epoch=by_epoch,
                         custom_cfg=custom_cfg, num_digits=num_digits,
                         log_with_hierarchy=log_with_hierarchy,
                         mean_pattern=mean_pattern)
        for name, keys in (('first_keys', first_keys),
                           ('flag_keys', flag_keys)):
            if isinstance(keys, str) or not all(
                    isinstance(k, str) for k in keys):
                raise TypeError(f'ReadableLogProcessor: {name} must be a '
                                f'list of key names, got {keys!r}')
        self.first_keys = tuple(first_keys)
        self.flag_keys = tuple(flag_keys)

    def _collect_scalars(self, custom_cfg, runner, mode: str,
                         reserve_prefix: bool = False) -> dict:
        tag = super()._collect_scalars(custom_cfg, runner, mode,
                                       reserve_prefix)
        prefix = f'{mode}/' if reserve_prefix else ''
        first = [prefix + k for k in self.first_keys if prefix + k in tag]
        out = OrderedDict((k, tag[k]) for k in first)
        out.update((k, v) for k, v in tag.items() if k not in out)
        for key in self.flag_keys:
            value = out.get(prefix + key)
            if isinstance(value, float) and value.is_integer():
                out[prefix + key] = int(value)
        return out
