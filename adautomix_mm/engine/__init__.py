from . import hooks, log_processor, schedulers  # noqa: F401
