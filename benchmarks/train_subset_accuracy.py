"""Accuracy on the training subset itself, logged beside the validation
accuracy (benchmark-only hook; ``benchmarks/overfit_fashion_mnist.py`` adds
it through ``custom_imports``).

The generalisation gap of a run is train top-1 minus test top-1 of the same
network at the same epoch. "Train top-1" here is the eval-mode network on the
*un-augmented* training images (the test pipeline), i.e. whether the network
has fitted its training set; the mixed-sample training loss cannot say that.

At every ``interval``-th validation epoch (and the last), after the
validation pass and with the validated weights (MMEngine's ``EMAHook`` swaps
its average back only in its own ``after_val_epoch``, which runs later: this
hook's priority is above it), the training dataset (same ``indices``) is run
through the validation pipeline and evaluator; every metric ``k`` is logged as
``val/train_subset_k`` (e.g. ``train_subset_accuracy/top1``,
``train_subset_accuracy_ema/top1``) in the same record of
``vis_data/scalars.json`` as the validation metrics. The names do not start
with ``accuracy``, so ``tools/compare.py`` does not take them for a network.
"""
import copy

import torch
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

PREFIX = 'train_subset_'


@HOOKS.register_module()
class TrainSubsetAccuracyHook(Hook):
    """Evaluate the validated network on the training subset.

    Args:
        interval: every ``interval`` epochs that have a validation (and the
            last epoch).
        batch_size: evaluation batch size (default: the val loader's).
    """

    # After RuntimeInfoHook (VERY_HIGH, logs val metrics into the message
    # hub), before EMAHook (NORMAL, swaps the raw weights back) and
    # LoggerHook (BELOW_NORMAL, writes the val record).
    priority = 'HIGH'

    def __init__(self, interval: int = 1, batch_size: int = None):
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval must be an int >= 1, got {interval!r}')
        self.interval = interval
        self.batch_size = batch_size
        self._loader = None
        self._evaluator = None

    def _build(self, runner):
        cfg = runner.cfg
        dataset = copy.deepcopy(cfg.train_dataloader['dataset'])
        dataset['pipeline'] = copy.deepcopy(
            cfg.val_dataloader['dataset']['pipeline'])
        loader = copy.deepcopy(cfg.val_dataloader)
        loader['dataset'] = dataset
        loader['sampler'] = dict(type='DefaultSampler', shuffle=False)
        if self.batch_size:
            loader['batch_size'] = self.batch_size
        self._loader = runner.build_dataloader(loader)
        self._evaluator = runner.build_evaluator(
            copy.deepcopy(cfg.val_evaluator))
        self._evaluator.dataset_meta = getattr(self._loader.dataset,
                                               'metainfo', None)

    def before_val_epoch(self, runner) -> None:
        # The message hub keeps a scalar until it is updated again: without
        # this, every later validation record would repeat the last value.
        for key in [k for k in runner.message_hub.log_scalars
                    if k.startswith(f'val/{PREFIX}')]:
            runner.message_hub.log_scalars.pop(key)

    def after_val_epoch(self, runner, metrics=None) -> None:
        if runner.train_loop is None or not (
                self.every_n_epochs(runner, self.interval)
                or self.is_last_train_epoch(runner)):
            return
        if self._loader is None:
            self._build(runner)
        model = runner.model
        was_training = model.training
        model.eval()
        with torch.no_grad():
            for batch in self._loader:
                outputs = model.val_step(batch)
                self._evaluator.process(data_samples=outputs,
                                        data_batch=batch)
        model.train(was_training)
        results = self._evaluator.evaluate(len(self._loader.dataset))
        for key, value in results.items():
            runner.message_hub.update_scalar(f'val/{PREFIX}{key}', value)
        shown = ', '.join(f'{PREFIX}{k}: {v:.4f}' for k, v in results.items())
        runner.logger.info(f'Epoch(train-subset) [{runner.epoch}] {shown}')

    # The train loop's epoch counter is what every_n_epochs reads in
    # after_val_epoch (runner.epoch was advanced by the train loop).
    def every_n_epochs(self, runner, n: int, start: int = 0) -> bool:
        return runner.epoch > start and (runner.epoch - start) % n == 0

    def is_last_train_epoch(self, runner) -> bool:
        return runner.epoch == runner.max_epochs

