"""Shorter start of a training log.

* MMEngine's ``Runner`` logs, once, which hooks run at each of its 22 stages
  (about 500 lines for this package's recipes) right after it builds the
  hooks: that record becomes one line, the hook names in priority order
  (the full listing is kept at ``log_level='DEBUG'``);
* MMEngine's own ``CheckpointHook`` logs two deprecation warnings on every
  run (``FileClient``, ``HardDiskBackend``; MMEngine 0.10.7), which ask
  nothing of the user: they are dropped.
"""
import logging
import re

from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmpretrain.registry import HOOKS

LISTING = 'Hooks will be executed in the following order:'
HOOK_LINE = re.compile(r'^\((\w+)\s*\)\s+(\S+)', re.M)
# Start of MMEngine's own deprecation records dropped from the log.
KNOWN_LOG_WARNINGS = ('"FileClient" will be deprecated in future',
                      '"HardDiskBackend" is the alias of "LocalBackend"')


class ReadableLogFilter(logging.Filter):
    """Rewrites MMEngine's per-stage hook listing to one line (unless a
    handler of ``logger`` shows DEBUG records) and drops
    :data:`KNOWN_LOG_WARNINGS`."""

    def __init__(self, logger: logging.Logger):
        super().__init__()
        self.logger = logger

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str):
            return True
        if record.levelno == logging.WARNING and \
                record.msg.startswith(KNOWN_LOG_WARNINGS):
            return False
        if not record.msg.startswith(LISTING) or any(
                h.level <= logging.DEBUG for h in self.logger.handlers):
            return True
        names = dict.fromkeys(
            f'{name} ({priority})'
            for priority, name in HOOK_LINE.findall(record.getMessage()))
        record.msg = ('Hooks (priority order; the per-stage order is '
                      "logged with log_level='DEBUG'): " + ', '.join(names))
        record.args = ()
        return True


@HOOKS.register_module()
class ReadableLogHook(Hook):
    """Adds :class:`ReadableLogFilter` to the current ``MMLogger`` when
    built: the runner builds its hooks after its logger and logs the
    listing right after them, so no hook method would run early enough."""

    priority = 'VERY_LOW'

    def __init__(self):
        logger = MMLogger.get_current_instance()
        if not any(isinstance(f, ReadableLogFilter) for f in logger.filters):
            logger.addFilter(ReadableLogFilter(logger))
