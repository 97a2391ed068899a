"""Robustness metrics that re-run the evaluated network on perturbed pixels.

Where the perturbation happens (design). MMEngine's val/test loops call
``metric.process(data_batch, outputs)`` with the *raw* batch from the
dataloader (pixels in 0-255, before the data preprocessor), but a metric has
no model. So these metrics subclass :class:`ModelMetric`, and
:class:`ModelMetricHook` (``custom_hooks``) hands them the runner's model
before every validation/test run (after ``EMAHook`` swaps in its averaged
weights, which the metrics therefore see). Each metric then perturbs the raw
pixels, sends them through the model's own ``data_preprocessor``
(normalisation, channel order) and the evaluated network. This keeps the
normal loop, dataset, pipeline and evaluator (no special test loop or
dataset wrapper, and it works for ``val_evaluator`` as for
``test_evaluator``); the clean predictions come from the loop as usual.

All results are accuracies in percent. ``network`` is None for a
single-network classifier, 'ema' or 'online' for two-network models (one
metric per network, as :class:`NetworkAccuracy`).
"""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS, METRICS

from ..engine.hooks.runner_model import unwrap_model
from .corruptions import (SEVERITIES, SEVERITY_CONSTANTS, check_corruption,
                          corrupt)
from .network_scores import check_network, network_logits


def values_in(owner: str, key: str, values, high: float) -> tuple:
    """``values`` as a non-empty tuple of floats in [0, ``high``]."""
    values = tuple(float(v) for v in values)
    if not values or any(not 0 <= v <= high for v in values):
        raise ValueError(f'{owner}: {key} must be in [0, {high}], '
                         f'got {values}')
    return values


class ModelMetric(BaseMetric):
    """A metric that evaluates the model on its own perturbed inputs.

    Subclasses implement :meth:`evaluate_batch` returning, per sample, a
    dict ``condition -> correct (bool)``; accuracies per condition are
    computed over the whole set (so they gather correctly across ranks).
    """

    #: the key prefix without a network (``<kind>`` or ``<kind>_<network>``)
    kind = ''

    def __init__(self, network: Optional[str], seed: int,
                 prefix: Optional[str], collect_device: str = 'cpu') -> None:
        check_network(network, type(self).__name__)
        if prefix is None:
            prefix = f'{self.kind}_{network}' if network else self.kind
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.network = network
        self.seed = int(seed)
        self._model = None
        self._batches = 0

    def set_model(self, model: torch.nn.Module) -> None:
        self._model = unwrap_model(model)
        self._batches = 0

    # ------------------------------------------------------------- helpers
    @property
    def model(self) -> torch.nn.Module:
        if self._model is None:
            raise RuntimeError(
                f'{type(self).__name__} needs the model: add '
                "dict(type='ModelMetricHook') to custom_hooks (tools/test.py "
                '--robustness does it).')
        return self._model

    def generator(self) -> torch.Generator:
        """A generator seeded by (seed, batch index): the same perturbations
        in every run of the same data order."""
        gen = torch.Generator(device=self.device)
        gen.manual_seed(self.seed * 1_000_003 + self._batches)
        return gen

    @property
    def device(self) -> torch.device:
        return self.model.data_preprocessor.device

    def preprocess(self, pixels: torch.Tensor) -> torch.Tensor:
        """Normalised network input for pixels ``[B, C, H, W]`` (0-255),
        through the model's data preprocessor (differentiable)."""
        return self.model.data_preprocessor(
            dict(inputs=pixels), training=False)['inputs']

    def logits(self, pixels: torch.Tensor) -> torch.Tensor:
        return network_logits(self.model, self.preprocess(pixels),
                              self.network)

    def predict(self, pixels: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.logits(pixels).argmax(dim=1)

    @staticmethod
    def raw_pixels(data_batch: dict, device) -> torch.Tensor:
        inputs = data_batch['inputs']
        if isinstance(inputs, (list, tuple)):
            shapes = {tuple(x.shape) for x in inputs}
            if len(shapes) > 1:
                raise ValueError(
                    'robustness metrics need equally sized test images in a '
                    f'batch, got shapes {sorted(shapes)}; resize/crop them in '
                    'the test pipeline')
            inputs = torch.stack(list(inputs))
        return inputs.to(device)

    # ------------------------------------------------------------- protocol
    def evaluate_batch(self, pixels: torch.Tensor,
                       labels: torch.Tensor) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        pixels = self.raw_pixels(data_batch, self.device)
        labels = torch.cat([s['gt_label'].view(-1)[:1]
                            for s in data_samples]).to(self.device)
        correct = self.evaluate_batch(pixels, labels)
        self._batches += 1
        for i in range(labels.numel()):
            self.results.append(
                {k: bool(v[i]) for k, v in correct.items()})

    def compute_metrics(self, results: List[dict]) -> dict:
        keys = results[0].keys()
        return {k: 100.0 * sum(r[k] for r in results) / len(results)
                for k in keys}


@HOOKS.register_module()
class ModelMetricHook(Hook):
    """Give every :class:`ModelMetric` of the val/test evaluators the model
    (unwrapped from DDP) before each validation/test run."""
    priority = 'LOW'  # after EMAHook ('NORMAL') swapped its weights in

    @staticmethod
    def _attach(runner, loop) -> None:
        evaluator = getattr(loop, 'evaluator', None)
        for metric in getattr(evaluator, 'metrics', []):
            if isinstance(metric, ModelMetric):
                metric.set_model(runner.model)

    def before_val_epoch(self, runner) -> None:
        self._attach(runner, runner.val_loop)

    def before_test_epoch(self, runner) -> None:
        self._attach(runner, runner.test_loop)


@METRICS.register_module()
class CorruptionAccuracy(ModelMetric):
    """Accuracy under common corruptions generated on the fly, severities
    1-5 (Hendrycks & Dietterich 2019, CIFAR-10-C / ImageNet-C).

    Keys (prefix ``corruption`` or ``corruption_<network>``): ``mCA``, the
    mean corruption accuracy over all corruptions and severities (the
    CIFAR-C protocol; 100 - mCA is the unnormalised mean corruption error);
    ``<name>``, each corruption's mean over severities; and with
    ``per_severity`` also ``<name>_s<k>``. ImageNet-C's normalised mCE
    divides each corruption's summed error by AlexNet's; pass those errors
    (percent, one list of 5 per corruption) as ``baseline_errors`` to get
    ``mCE`` as well.

    Args:
        corruptions (sequence of str, optional): default all of the preset.
        severities (sequence of int): subset of 1..5.
        preset (str): 'cifar' (CIFAR-10-C constants, small images) or
            'imagenet'.
        network (str, optional): None, 'ema' or 'online'.
        seed (int): seed of the random corruptions.
    """

    kind = 'corruption'

    def __init__(self,
                 corruptions: Optional[Sequence[str]] = None,
                 severities: Sequence[int] = SEVERITIES,
                 preset: str = 'cifar',
                 network: Optional[str] = None,
                 per_severity: bool = False,
                 baseline_errors: Optional[Dict[str, Sequence[float]]] = None,
                 seed: int = 0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        if preset not in SEVERITY_CONSTANTS:
            raise ValueError(f'CorruptionAccuracy: preset must be one of '
                             f'{tuple(SEVERITY_CONSTANTS)}, got {preset!r}')
        corruptions = tuple(corruptions or SEVERITY_CONSTANTS[preset])
        severities = tuple(severities)
        if not corruptions or not severities:
            raise ValueError('CorruptionAccuracy: corruptions and severities '
                             'must not be empty')
        for name in corruptions:
            for s in severities:
                check_corruption(name, s, preset)
        if baseline_errors is not None:
            missing = set(corruptions) - set(baseline_errors)
            if missing:
                raise ValueError(f'CorruptionAccuracy: baseline_errors lacks '
                                 f'{sorted(missing)}')
        super().__init__(network, seed, prefix, collect_device)
        self.corruptions = corruptions
        self.severities = severities
        self.preset = preset
        self.per_severity = per_severity
        self.baseline_errors = baseline_errors

    def evaluate_batch(self, pixels, labels):
        gen = self.generator()
        out = {}
        for name in self.corruptions:
            for s in self.severities:
                bad = corrupt(pixels, name, s, self.preset, gen)
                out[f'{name}_s{s}'] = self.predict(bad) == labels
        return out

    def compute_metrics(self, results):
        acc = super().compute_metrics(results)
        out = {}
        for name in self.corruptions:
            out[name] = sum(acc[f'{name}_s{s}']
                            for s in self.severities) / len(self.severities)
        out['mCA'] = sum(out.values()) / len(self.corruptions)
        if self.baseline_errors is not None:
            ces = [
                sum(100 - acc[f'{n}_s{s}'] for s in self.severities) /
                sum(self.baseline_errors[n][s - 1] for s in self.severities)
                for n in self.corruptions
            ]
            out['mCE'] = 100 * sum(ces) / len(ces)
        if self.per_severity:
            out.update(acc)
        return out


@METRICS.register_module()
class OcclusionAccuracy(ModelMetric):
    """Accuracy with one random occluding patch covering a fraction of the
    image area, for each fraction in ``ratios`` (0 to 1).

    The patch is ``round(sqrt(r) H) x round(sqrt(r) W)`` pixels (a square on
    square images), placed uniformly at random inside the image, and filled
    with the pixel value ``fill`` (0-255, default 0: black). Keys (prefix
    ``occlusion`` or ``occlusion_<network>``): ``r<ratio>`` per ratio (e.g.
    ``r0.3``) and ``mean`` over the ratios.
    """

    kind = 'occlusion'

    def __init__(self,
                 ratios: Sequence[float] = tuple(i / 10 for i in range(11)),
                 fill: float = 0.0,
                 network: Optional[str] = None,
                 seed: int = 0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        ratios = values_in('OcclusionAccuracy', 'ratios', ratios, 1)
        if not 0 <= fill <= 255:
            raise ValueError(f'OcclusionAccuracy: fill is a pixel value in '
                             f'[0, 255], got {fill}')
        super().__init__(network, seed, prefix, collect_device)
        self.ratios = ratios
        self.fill = fill

    @staticmethod
    def occlude(pixels: torch.Tensor, ratio: float, fill: float,
                gen: torch.Generator) -> torch.Tensor:
        """``pixels`` with one random patch of area fraction ``ratio`` per
        image set to ``fill``."""
        b, _, h, w = pixels.shape
        ph = min(h, round(ratio**0.5 * h))
        pw = min(w, round(ratio**0.5 * w))
        out = pixels.clone()
        if ph == 0 or pw == 0:
            return out
        tops = torch.randint(0, h - ph + 1, (b, ), generator=gen,
                             device=gen.device).tolist()
        lefts = torch.randint(0, w - pw + 1, (b, ), generator=gen,
                              device=gen.device).tolist()
        for i, (t, l) in enumerate(zip(tops, lefts)):
            out[i, :, t:t + ph, l:l + pw] = fill
        return out

    def evaluate_batch(self, pixels, labels):
        gen = self.generator()
        return {
            f'r{r:g}': self.predict(self.occlude(pixels, r, self.fill, gen))
            == labels
            for r in self.ratios
        }

    def compute_metrics(self, results):
        acc = super().compute_metrics(results)
        acc['mean'] = sum(acc.values()) / len(acc)
        return acc


@METRICS.register_module()
class FGSMAccuracy(ModelMetric):
    r"""Accuracy under the fast gradient sign attack (Goodfellow et al.,
    "Explaining and Harnessing Adversarial Examples", ICLR 2015), in pixel
    space.

    :math:`x_{adv} = \mathrm{clip}_{[0, 255]}(x + \epsilon\,
    \mathrm{sign}(\nabla_x \mathrm{CE}(f(n(x)), y)))` with ``x`` the raw
    pixels (0-255 units, so ``epsilons`` are in 0-255 units: 8 means 8/255),
    ``n`` the model's data preprocessor (normalisation) and ``f`` the
    evaluated network only (the other network of a two-network model plays
    no part). The gradient is taken with respect to the pixels alone
    (``torch.autograd.grad``), so no parameter's ``.grad`` changes; the model
    is in eval mode as the test loop leaves it. Keys (prefix ``fgsm`` or
    ``fgsm_<network>``): ``eps<eps>`` per epsilon (e.g. ``eps8``).
    """

    kind = 'fgsm'

    def __init__(self,
                 epsilons: Sequence[float] = (1, 2, 4, 8),
                 network: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        epsilons = values_in('FGSMAccuracy', 'epsilons (pixel units)',
                             epsilons, 255)
        super().__init__(
            network, 0, prefix, collect_device)
        self.epsilons = epsilons

    def attack(self, pixels: torch.Tensor, labels: torch.Tensor,
               eps: float) -> torch.Tensor:
        """FGSM pixels at ``eps`` (0-255 units)."""
        with torch.enable_grad():
            x = pixels.detach().float().requires_grad_(True)
            loss = F.cross_entropy(self.logits(x).float(), labels)
            grad, = torch.autograd.grad(loss, x)
        return (x.detach() + eps * grad.sign()).clamp(0, 255)

    def evaluate_batch(self, pixels, labels):
        out = {}
        for eps in self.epsilons:
            adv = self.attack(pixels, labels, eps)
            out[f'eps{eps:g}'] = self.predict(adv) == labels
        return out
