"""Model-aware robustness metrics: FGSM in pixel space through the data
preprocessor with the evaluated network's gradient only, occlusion patches,
corruption accuracy bookkeeping, the hook and the --robustness config edit."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.model import BaseModel
from mmpretrain.models import ClsDataPreprocessor

from adautomix_mm.evaluation import (CorruptionAccuracy, FGSMAccuracy,
                                     ModelMetricHook, OcclusionAccuracy)
from adautomix_mm.evaluation.suite import (add_robustness_metrics,
                                           evaluated_networks)

SIZE = 8
MEAN, STD = 120.0, 40.0


class TinyClassifier(BaseModel):
    """Linear classifier on 1x8x8 pixels, normalised by mmpretrain's
    ClsDataPreprocessor (0-255 in, (x - 120) / 40 to the network)."""

    def __init__(self):
        super().__init__(data_preprocessor=ClsDataPreprocessor(
            mean=[MEAN], std=[STD], num_classes=2))
        self.fc = nn.Linear(SIZE * SIZE, 2)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.fc(inputs.flatten(1))


class TwoNetworks(TinyClassifier):
    """A two-network model: ``network(name)`` as MomentumMixClassifier."""

    def __init__(self):
        super().__init__()
        self.ema_fc = nn.Linear(SIZE * SIZE, 2)

    def network(self, name):
        fc = self.fc if name == 'online' else self.ema_fc
        return SimpleNamespace(backbone=nn.Flatten(1), neck=None, head=fc)


def make_data(n, seed):
    """Class 0: darker images, class 1: brighter (uint8 pixels)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    level = 100.0 + 40.0 * labels.float()
    pixels = level.view(n, 1, 1, 1) + 25 * torch.randn(n, 1, SIZE, SIZE,
                                                       generator=g)
    return pixels.clamp(0, 255).round().to(torch.uint8), labels


@pytest.fixture(scope='module')
def trained():
    torch.manual_seed(0)
    model = TinyClassifier()
    pixels, labels = make_data(256, 0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(60):
        x = model.data_preprocessor(dict(inputs=pixels))['inputs']
        loss = F.cross_entropy(model(x), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    for p in model.parameters():
        p.grad = None
    return model


def batch(pixels, labels):
    """A raw test batch as the loop hands it to metrics."""
    data_batch = dict(inputs=list(pixels))
    samples = [dict(gt_label=y.view(1)) for y in labels]
    return data_batch, samples


def attach(metric, model):
    runner = SimpleNamespace(
        model=model,
        test_loop=SimpleNamespace(evaluator=SimpleNamespace(metrics=[metric])))
    ModelMetricHook().before_test_epoch(runner)
    return metric


def test_fgsm_within_eps_and_flips_predictions(trained):
    pixels, labels = make_data(200, 1)
    metric = attach(FGSMAccuracy(epsilons=(0, 16, 32)), trained)
    x = pixels.float()
    for eps in (0, 16, 32):
        adv = metric.attack(x, labels, eps)
        assert adv.min() >= 0 and adv.max() <= 255
        assert (adv - x).abs().max() <= eps + 1e-4
    assert all(p.grad is None for p in trained.parameters())
    metric.process(*batch(pixels, labels))
    result = metric.evaluate(len(labels))
    clean = result['fgsm/eps0']
    assert clean > 90, result  # the tiny model did learn the task
    assert result['fgsm/eps16'] < clean - 10, result
    assert result['fgsm/eps32'] < result['fgsm/eps16'], result
    with torch.no_grad():
        before = trained(metric.preprocess(x)).argmax(1)
        after = trained(metric.preprocess(metric.attack(x, labels,
                                                        16))).argmax(1)
    assert (before != after).any()


def test_fgsm_uses_only_the_evaluated_network():
    torch.manual_seed(0)
    model = TwoNetworks().eval()
    pixels, labels = make_data(16, 2)
    x = pixels.float()
    metric = attach(FGSMAccuracy(epsilons=(4, ), network='online'), model)
    adv = metric.attack(x, labels, 4)
    assert all(p.grad is None for p in model.parameters())
    # by hand: the sign of d CE(online(n(x))) / dx, n = (x - mean) / std
    xr = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model.fc(((xr - MEAN) / STD).flatten(1)), labels)
    loss.backward()
    assert torch.equal(adv, (x + 4 * xr.grad.sign()).clamp(0, 255))
    # the EMA network plays no part: other EMA weights, same attack
    with torch.no_grad():
        model.ema_fc.weight.mul_(-3)
    assert torch.equal(metric.attack(x, labels, 4), adv)
    assert model.ema_fc.weight.grad is None
    ema_adv = attach(FGSMAccuracy(epsilons=(4, ), network='ema'),
                     model).attack(x, labels, 4)
    assert not torch.equal(ema_adv, adv)


def test_occlusion_patches(trained):
    pixels, labels = make_data(64, 3)
    gen = torch.Generator().manual_seed(0)
    x = pixels.float() + 1  # no pixel equals the fill value 0 beforehand
    out = OcclusionAccuracy.occlude(x, 0.25, 0.0, gen)
    assert ((out == 0).sum(dim=(1, 2, 3)) == 16).all()  # 4x4 of 8x8
    assert torch.equal(OcclusionAccuracy.occlude(x, 0.0, 0.0, gen), x)
    assert (OcclusionAccuracy.occlude(x, 1.0, 7.0, gen) == 7).all()
    metric = attach(OcclusionAccuracy(ratios=(0, 0.5, 1)), trained)
    metric.process(*batch(pixels, labels))
    result = metric.evaluate(len(labels))
    with torch.no_grad():
        pred = trained(metric.preprocess(pixels.float())).argmax(1)
    clean = 100 * (pred == labels).float().mean().item()
    assert result['occlusion/r0'] == pytest.approx(clean)
    # a fully black image gets one class for every sample: half are right
    assert result['occlusion/r1'] == pytest.approx(50)
    assert result['occlusion/mean'] == pytest.approx(
        sum(result[f'occlusion/r{r}'] for r in ('0', '0.5', '1')) / 3)


def test_corruption_accuracy_keys_and_means(trained):
    pixels, labels = make_data(32, 4)
    metric = attach(
        CorruptionAccuracy(corruptions=('gaussian_noise', 'contrast'),
                           severities=(1, 5), per_severity=True,
                           baseline_errors={'gaussian_noise': [50] * 5,
                                            'contrast': [50] * 5}),
        trained)
    metric.process(*batch(pixels, labels))
    r = metric.evaluate(len(labels))
    for name in ('gaussian_noise', 'contrast'):
        assert r[f'corruption/{name}'] == pytest.approx(
            (r[f'corruption/{name}_s1'] + r[f'corruption/{name}_s5']) / 2)
    assert r['corruption/mCA'] == pytest.approx(
        (r['corruption/gaussian_noise'] + r['corruption/contrast']) / 2)
    # mCE normalised by a baseline with 50% error at every severity
    assert r['corruption/mCE'] == pytest.approx(
        100 * (100 - r['corruption/mCA']) / 50)


def test_errors(trained):
    metric = FGSMAccuracy()
    pixels, labels = make_data(4, 5)
    with pytest.raises(RuntimeError, match='ModelMetricHook'):
        metric.process(*batch(pixels, labels))
    with pytest.raises(ValueError, match='network'):
        attach(FGSMAccuracy(network='ema'), trained).attack(
            pixels.float(), labels, 1)
    with pytest.raises(ValueError, match='epsilons'):
        FGSMAccuracy(epsilons=(-1, ))
    with pytest.raises(ValueError, match='ratios'):
        OcclusionAccuracy(ratios=(1.5, ))
    with pytest.raises(ValueError, match='severity'):
        CorruptionAccuracy(severities=(6, ))
    with pytest.raises(ValueError, match='unknown corruption'):
        CorruptionAccuracy(corruptions=('fog', ))
    with pytest.raises(ValueError, match='baseline_errors'):
        CorruptionAccuracy(corruptions=('contrast', ), baseline_errors={})


def test_robustness_config_edit(repo_root):
    spec = repo_root / 'configs' / '_base_' / 'evaluation' / 'robustness.py'
    two = Config(dict(
        test_evaluator=[dict(type='NetworkAccuracy', network='ema'),
                        dict(type='NetworkAccuracy', network='online')],
        custom_hooks=[dict(type='AdversarialOptimizerHook')]))
    assert evaluated_networks(two.test_evaluator) == ('ema', 'online')
    add_robustness_metrics(two, str(spec))
    added = two.test_evaluator[2:]
    assert len(added) == 8
    assert [m['network'] for m in added] == ['ema'] * 4 + ['online'] * 4
    assert [h['type'] for h in two.custom_hooks] == [
        'AdversarialOptimizerHook', 'ModelMetricHook']
    one = Config(dict(test_evaluator=dict(type='Accuracy', topk=(1, ))))
    add_robustness_metrics(one, str(spec))
    assert [m.get('network', 'absent') for m in one.test_evaluator] == \
        ['absent', None, None, None, None]
    assert one.custom_hooks == [dict(type='ModelMetricHook')]
