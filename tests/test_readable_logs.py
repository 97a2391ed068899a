"""Readable training logs of the learned mixers (issue 13): which backbone
stage feeds the Mix Block (logged once, warned when it is not the
reference's), the classifier's total loss as its own scalar, constants
logged once, lambda rounded."""
import copy
import logging
import re
import types

import pytest
import torch
from mmengine.logging import MMLogger
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401
from adautomix_mm.engine.hooks import mix_visualization_hook as vis_module
from adautomix_mm.models.utils.mix_stage import (mix_stage_source,
                                                 reference_stage)

K = 4
MIX_BLOCKS = dict(AdAutoMix='AttentionMixBlock', AutoMix='PixelMixBlock')


def build(method='AdAutoMix', out_indices=(2, 3), **overrides):
    torch.manual_seed(0)
    head = dict(type='LinearClsHead', num_classes=K, in_channels=64,
                loss=dict(type='CrossEntropyLoss', use_soft=True))
    cfg = dict(
        type=method,
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8, out_indices=out_indices),
        neck=dict(type='GlobalAveragePooling'),
        head=head,
        mix_head=copy.deepcopy(head),
        mix_block=dict(type=MIX_BLOCKS[method]))
    cfg.update(overrides)
    model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    if method == 'AdAutoMix':
        model.set_game_state(True, True)
    else:
        model.set_schedule_state(True, 0.0)
    return model


def batch(b=6, size=16):
    torch.manual_seed(1)
    x = torch.randn(b, 3, size, size)
    return x, [DataSample().set_gt_label(i % K) for i in range(b)]


@pytest.fixture
def records():
    """Log records that reach the current MMLogger (print_log 'current')."""
    logger = MMLogger.get_current_instance()
    got = []
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = got.append
    logger.addHandler(handler)
    yield got
    logger.removeHandler(handler)


def messages(records, level=None):
    return [r.getMessage() for r in records
            if level is None or r.levelno == level]


# ------------------------------------------------------------ mix stage
@pytest.mark.parametrize('method', ['AdAutoMix', 'AutoMix'])
def test_build_logs_the_mix_stage_and_no_warning_for_the_reference_stage(
        method, records):
    build(method, out_indices=(2, 3))
    info = [m for m in messages(records, logging.INFO)
            if 'the Mix Block reads' in m]
    # ResNet_CIFAR width 8: stage 3 has 32 channels, 16x16 on the 64x64 probe
    assert info == [
        f'{method}: the Mix Block reads output 0 of ResNet_CIFAR(out_indices='
        '(2, 3)), i.e. stage 3 of 4 (mix_stage=0): 32 channels (32 x 16 x 16 '
        'for the 64 x 64 probe input at build time; the first training batch '
        'logs its real size).']
    assert messages(records, logging.WARNING) == []


@pytest.mark.parametrize('method', ['AdAutoMix', 'AutoMix'])
def test_last_stage_only_backbone_warns_with_the_fix(method, records):
    # MMPretrain's resnet18_cifar.py base: out_indices=(3,)
    build(method, out_indices=(3, ))
    warnings = messages(records, logging.WARNING)
    assert warnings == [
        f'{method}: the Mix Block reads output 0 of ResNet_CIFAR(out_indices='
        '(3,)), i.e. stage 4 of 4, but the reference feeds it stage 3 (the '
        'penultimate stage). To follow the reference, set '
        'backbone.out_indices=(2, 3) and mix_stage=0 (the heads read the '
        'last output).']
    assert any('64 channels' in m for m in messages(records, logging.INFO))


def test_mix_stage_one_of_reference_indices_also_warns(records):
    build(out_indices=(2, 3), mix_stage=1)
    assert len(messages(records, logging.WARNING)) == 1
    assert 'stage 4 of 4' in messages(records, logging.WARNING)[0]


@pytest.mark.parametrize('method', ['AdAutoMix', 'AutoMix'])
def test_first_batch_logs_the_real_feature_size_once(method, records):
    model = build(method)
    x, samples = batch(size=16)
    model.loss(x, samples)
    model.loss(x, samples)
    lines = [m for m in messages(records) if 'first training batch of' in m]
    # 16 px input: stage 3 of ResNet_CIFAR is 16 / 4 = 4 px
    assert lines == [f'{method}: first training batch of 6 images 16 x 16: '
                     'the Mix Block gets features 32 x 4 x 4 and upsamples '
                     'its masks to 16 x 16.']


def test_stage_reading_for_other_backbone_kinds():
    vit = torch.nn.Module()  # a ViT declares blocks, not stages
    vit.num_layers, vit.out_indices = 12, (5, 11)
    assert reference_stage(vit) == 5  # DeiT-S reference: block 6 of 12
    assert mix_stage_source(vit, 0)[0] == 5
    assert 'block 6 of 12' in mix_stage_source(vit, 0)[1]
    swin = torch.nn.Module()
    swin.stages = torch.nn.ModuleList([torch.nn.Identity()] * 4)
    swin.out_indices = (-2, -1)  # negative indices count from the end
    assert mix_stage_source(swin, 0)[0] == reference_stage(swin) == 2
    assert mix_stage_source(swin, -1)[0] == 3
    plain = torch.nn.Module()  # nothing declared: no stage, no warning
    assert reference_stage(plain) is None
    assert mix_stage_source(plain, 0)[0] is None


# ----------------------------------------------------------- loss scalars
@pytest.mark.parametrize('method,n,cls_keys,gen_keys', [
    ('AdAutoMix', 3, ('loss_amix', 'loss_one', 'loss_vmix'), ('loss_gen', )),
    ('AdAutoMix', 2, ('loss_amix', 'loss_one'), ('loss_gen', )),
    ('AutoMix', 2, ('loss_mix', 'loss_one'), ('loss_gen', 'loss_mask')),
])
def test_classifier_total_is_logged_beside_the_generator(
        method, n, cls_keys, gen_keys):
    extra = dict(mix_samples=n) if method == 'AdAutoMix' else {}
    model = build(method, **extra)
    x, samples = batch()
    losses = model.loss(x, samples)
    loss, log_vars = model.parse_losses(losses)
    terms = [k for k in losses if 'loss' in k]
    assert set(terms) == set(cls_keys + gen_keys)
    # the optimised total is unchanged: every term once, the new
    # scalars are not summed into it
    torch.testing.assert_close(loss, sum(losses[k] for k in terms))
    torch.testing.assert_close(log_vars['loss'], loss)
    torch.testing.assert_close(log_vars['loss_cls'],
                               sum(losses[k] for k in cls_keys).detach())
    assert not log_vars['loss_cls'].requires_grad
    if len(gen_keys) > 1:
        torch.testing.assert_close(
            log_vars['loss_mix_block'],
            sum(losses[k] for k in gen_keys).detach())
    else:  # one generator term: it is the generator's total already
        assert 'loss_mix_block' not in log_vars
    # logged right after the headline, before the individual terms
    assert list(log_vars)[:2] == ['loss', 'loss_cls']


def test_generator_sign_flip_moves_loss_but_not_loss_cls():
    # beta_radio=1: the adversarial generator loss is -CE, the cooperative +CE
    vals = {}
    for adversarial in (True, False):
        model = build(beta_radio=1.0)
        model.set_game_state(adversarial, True)
        x, samples = batch()
        torch.manual_seed(3)
        _, log_vars = model.parse_losses(model.loss(x, samples))
        vals[adversarial] = log_vars
    assert vals[True]['loss_gen'] < 0 < vals[False]['loss_gen']
    torch.testing.assert_close(vals[True]['loss_cls'], vals[False]['loss_cls'])
    assert not torch.isclose(vals[True]['loss'], vals[False]['loss'])


def test_constant_mix_samples_logged_once_not_per_iteration(records):
    model = build(mix_samples=3)
    assert any(m.startswith('AdAutoMix: N = 3 images per mixed sample;')
               for m in messages(records))
    x, samples = batch()
    _, log_vars = model.parse_losses(model.loss(x, samples))
    assert 'mix_samples' not in log_vars
    assert 'adv_phase' in log_vars  # varies per iteration: still logged


def test_random_mix_samples_still_logged_per_iteration(records):
    model = build(mix_samples=4, is_random=True)
    assert any('drawn from {2..N} every iteration' in m
               for m in messages(records))
    x, samples = batch()
    seen = set()
    for seed in range(6):
        torch.manual_seed(seed)
        _, log_vars = model.parse_losses(model.loss(x, samples))
        seen.add(float(log_vars['mix_samples']))
    assert seen <= {2.0, 3.0, 4.0} and len(seen) > 1


class _HalfFlipMixer:
    """Deterministic mixer (0.5 x + 0.5 x.flip(0)) that keeps a clean loss."""
    saliency_mode = 'train'
    clean_lam = 1.0

    def __call__(self, inputs, targets, saliency, mean, std):
        return (0.5 * inputs + 0.5 * inputs.flip(0),
                0.5 * targets + 0.5 * targets.flip(0))


MODELS.register_module('LogTestHalfFlipMixer', module=_HalfFlipMixer,
                       force=True)


def test_saliency_classifier_logs_the_optimised_total():
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='SaliencyMixClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=K, in_channels=64,
                  loss=dict(type='CrossEntropyLoss', use_soft=True)),
        mixer=dict(type='LogTestHalfFlipMixer')))
    model.train()
    x, samples = batch()
    losses = model.loss(x, samples)
    assert set(losses) == {'loss_mix', 'loss_clean'}
    loss, log_vars = model.parse_losses(losses)
    # before: the head's own 'loss' key overwrote MMEngine's total in the
    # log, which then showed the mixed term only
    torch.testing.assert_close(log_vars['loss'], loss)
    torch.testing.assert_close(
        log_vars['loss'], losses['loss_mix'] + losses['loss_clean'])
    assert losses['loss_clean'] > 0


def test_visualization_log_rounds_lambda(tmp_path, monkeypatch):
    lines = []
    runner = types.SimpleNamespace(
        model=None, work_dir=str(tmp_path),
        logger=types.SimpleNamespace(info=lines.append),
        visualizer=types.SimpleNamespace(add_image=lambda *a, **k: None))
    lam = torch.tensor([0.123456789, 0.876543211])
    out = dict(lam=lam, sources=torch.zeros(2, 2, 3, 8, 8),
               masks=torch.full((2, 2, 8, 8), 0.5),
               mixed=torch.zeros(2, 3, 8, 8))
    model = torch.nn.Module()
    model.mix_preview = lambda *a, **k: out
    model.data_preprocessor = lambda batch, training: dict(inputs=batch)
    runner.model = model
    monkeypatch.setattr(vis_module, '_preview_without_side_effects',
                        lambda m, inputs, seed: out)
    monkeypatch.setattr(vis_module, '_write_png', lambda path, image: None)
    hook = vis_module.MixedSampleVisualizationHook(num_images=2)
    monkeypatch.setattr(hook, '_grid',
                        lambda pre, shown: torch.zeros(4, 4, 3).numpy())
    hook._batch = torch.zeros(2, 3, 8, 8)
    hook.draw(runner, 1)
    assert len(lines) == 1
    assert 'lam=[0.1235, 0.8765]' in lines[0], lines[0]
    assert not re.search(r'\d\.\d{5,}', lines[0])


def test_compare_plots_the_classifier_loss_when_logged():
    from adautomix_mm.cli.compare import NETWORK_NAMES, Run, train_loss_key
    mixer = Run('w', 'c', 'AdAutoMix', 'g', 0, False,
                train=[dict(iter=1, loss=1.0, loss_cls=2.0)])
    single = Run('w', 'c', 'vanilla', 'g', 0, False,
                 train=[dict(iter=1, loss=1.0)])
    assert train_loss_key(mixer) == 'loss_cls'
    assert train_loss_key(single) == 'loss'
    mixer.val = [{'accuracy_ema/top1': 1.0, 'accuracy_ema_mix/top1': 2.0}]
    assert mixer.networks() == {'accuracy_ema/top1': NETWORK_NAMES['ema'],
                                'accuracy_ema_mix/top1':
                                'EMA teacher, mix head'}


# ------------------------------------------------- log line and log start
def _processor_line(**kwargs):
    """The training interval line of ReadableLogProcessor on a message hub
    holding what AdAutoMix logs, and the tag it records."""
    from mmengine.logging import MessageHub
    from mmengine.registry import LOG_PROCESSORS, DefaultScope
    hub = MessageHub.get_instance('readable_log_test')
    for key, value in (('lr', 0.1), ('adv_phase', 1.0), ('loss', 5.5),
                       ('loss_cls', 4.5), ('loss_gen', 1.0)):
        hub.update_scalar(f'train/{key}', value)
    runner = types.SimpleNamespace(
        message_hub=hub, iter=9, epoch=0, max_epochs=5,
        train_loop=types.SimpleNamespace(dataloader=[0] * 63),
        _train_loop=None)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        processor = LOG_PROCESSORS.build(
            dict(type='ReadableLogProcessor', **kwargs))
    return processor.get_log_after_iter(runner, 9, 'train')


def test_log_line_leads_with_the_classifier_loss_and_prints_flags_as_ints():
    tag, line = _processor_line()
    assert re.search(r'lr: 1\.0000e-01\s+loss_cls: 4\.5000  loss: 5\.5000  '
                     r'adv_phase: 1  loss_gen: 1\.0000$', line), line
    assert tag['adv_phase'] == 1 and isinstance(tag['adv_phase'], int)
    # MMEngine's own processor: the order of logging, flags as floats
    _, plain = _processor_line(first_keys=(), flag_keys=())
    assert 'adv_phase: 1.0000  loss: 5.5000  loss_cls: 4.5000' in plain
    with pytest.raises(TypeError, match='flag_keys'):
        _processor_line(flag_keys='adv_phase')


def _hook_listing():
    """MMEngine's listing text, as Runner.get_hooks_info writes it."""
    from mmengine.runner import Runner
    from mmpretrain.registry import HOOKS
    hooks = [HOOKS.build(dict(type=t)) for t in
             ('RuntimeInfoHook', 'IterTimerHook', 'EpochTimeEstimateHook')]
    hooks[0].priority, hooks[1].priority = 'VERY_HIGH', 'NORMAL'
    info = Runner.get_hooks_info(types.SimpleNamespace(hooks=hooks))
    return 'Hooks will be executed in the following order:\n' + info


@pytest.mark.parametrize('log_level', ['INFO', 'DEBUG'])
def test_hook_listing_is_one_line_unless_debug(log_level, tmp_path):
    from mmengine.logging import MMLogger
    from mmpretrain.registry import HOOKS
    logger = MMLogger.get_instance(f'listing_{log_level}',
                                   log_level=log_level,
                                   log_file=str(tmp_path / 'x.log'))
    HOOKS.build(dict(type='ReadableLogHook'))
    HOOKS.build(dict(type='ReadableLogHook'))  # one filter, not two
    assert len(logger.filters) == 1
    listing = _hook_listing()
    assert listing.count('\n') > 20  # MMEngine's stage-by-stage text
    logger.info(listing)
    logger.warning('"FileClient" will be deprecated in future. Please use')
    logger.warning('another warning')
    text = (tmp_path / 'x.log').read_text()
    if log_level == 'DEBUG':
        assert listing in text
    else:
        assert ("Hooks (priority order; the per-stage order is logged with "
                "log_level='DEBUG'): RuntimeInfoHook (VERY_HIGH), "
                'IterTimerHook (NORMAL), '
                'EpochTimeEstimateHook (VERY_LOW)\n') in text
        assert 'before_train' not in text
    assert 'FileClient' not in text and 'another warning' in text


def test_epoch_time_estimate_after_the_first_epoch(monkeypatch):
    from adautomix_mm.engine.hooks import epoch_time_hook
    clock = iter([100.0, 190.0, 400.0])
    monkeypatch.setattr(epoch_time_hook, '_clock', lambda: next(clock))
    lines = []
    runner = types.SimpleNamespace(
        epoch=0, train_loop=types.SimpleNamespace(max_epochs=5),
        logger=types.SimpleNamespace(info=lines.append))
    hook = epoch_time_hook.EpochTimeEstimateHook()
    for epoch in range(3):  # before epochs 1, 2, 3
        runner.epoch = epoch
        hook.before_train_epoch(runner)
    # epoch 1 (train + its validation) took 190 - 100 = 90 s; 4 left
    assert lines == ['Epoch 1 took 90 s here (training and validation): '
                     'about 90 s per epoch on this machine, ~6.0 min left '
                     'for the remaining 4 epochs.']
