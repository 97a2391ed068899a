"""Long runs (in-process): the non-finite guard, atomic checkpoints and the
auto-resume fallback, safe checkpoint loading, a plain checkpoint in a
two-network model, and the messages of the smaller items of issue 8."""
import copy
import os
import pickle
import types
from collections import OrderedDict

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper
from mmengine.runner.checkpoint import load_checkpoint
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401  (registers modules)
from adautomix_mm.cli import common as cli_common
from adautomix_mm.cli import export_network
from adautomix_mm.cli.train import build_train_config, parse_args
from adautomix_mm.compat import (load_weights_only, prepare_cpu_distributed,
                                 safe_checkpoint_loading,
                                 trust_checkpoints_while_loading)
from adautomix_mm.engine.hooks import (CheckpointSafetyHook,
                                       NonFiniteLossHook, RngStateHook)
from adautomix_mm.engine.hooks.checkpoint_safety_hook import \
    checkpoint_problem
from adautomix_mm.engine.hooks.rng_state_hook import (get_rng_state,
                                                      set_rng_state)
from adautomix_mm.models.classifiers.momentum_mix_classifier import \
    NO_TEACHER_MESSAGE

HEAD = dict(type='LinearClsHead', num_classes=4, in_channels=64,
            loss=dict(type='CrossEntropyLoss', use_soft=True))
BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                base_channels=8, out_indices=(2, 3))


class _Logger:

    def __init__(self):
        self.records = []

    def warning(self, msg):
        self.records.append(('warning', msg))

    def info(self, msg):
        self.records.append(('info', msg))


def _runner(model=None, **kw):
    base = dict(model=model, iter=11, epoch=2, work_dir='/tmp/wd',
                logger=_Logger(), hooks=[])
    base.update(kw)
    return types.SimpleNamespace(**base)


# ------------------------------------------------------ non-finite losses
def test_nonfinite_loss_error_names_term_value_and_iteration():
    hook = NonFiniteLossHook()
    log_vars = OrderedDict(loss=torch.tensor(float('nan')),
                           loss_amix=torch.tensor(1.5),
                           loss_gen=torch.tensor(float('nan')),
                           mask_entropy=torch.tensor(float('nan')))
    with pytest.raises(FloatingPointError) as err:
        hook.check_losses(_runner(), log_vars)
    msg = str(err.value)
    assert "Non-finite loss 'loss_gen' at iteration 12 (epoch 3)" in msg
    assert 'loss_gen = nan' in msg and 'loss_amix' not in msg
    assert '/tmp/wd' in msg
    # A finite dict passes; non-loss diagnostics are not checked.
    log_vars.update(loss=torch.tensor(1.0), loss_gen=torch.tensor(-2.0))
    hook.check_losses(_runner(), log_vars)
    # Only the sum overflowed: it is named.
    with pytest.raises(FloatingPointError, match="'loss' at iteration"):
        hook.check_losses(_runner(), OrderedDict(
            loss=torch.tensor(float('inf')), loss_a=torch.tensor(3e38)))


class _ToyModel(BaseModel):
    """Any model: a loss dict with one named term."""

    def __init__(self, key):
        super().__init__()
        self.key = key
        self.w = torch.nn.Parameter(torch.ones(3))

    def forward(self, inputs, data_samples=None, mode='loss'):
        return {self.key: (self.w * inputs).sum() * float('nan'),
                'loss_other': self.w.sum()}


@pytest.mark.parametrize('key', ['loss', 'loss_gen', 'loss_mix_puzzle'])
def test_nonfinite_loss_stops_any_model_before_the_optimizer_step(key):
    model = _ToyModel(key)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    runner = _runner(model)
    hook = NonFiniteLossHook()
    hook.before_train(runner)
    with pytest.raises(FloatingPointError, match=f"'{key}' at iteration 12"):
        model.train_step(dict(inputs=torch.ones(3)), optim)
    assert torch.equal(model.w.detach(), torch.ones(3))  # no step happened
    assert model.w.grad is None  # not even a backward pass
    hook.after_train(runner)
    assert 'parse_losses' not in model.__dict__  # unwrapped after training


def test_nonfinite_weights_are_named_before_a_checkpoint():
    model = _ToyModel('loss')
    with torch.no_grad():
        model.w[1] = float('inf')
    with pytest.raises(FloatingPointError, match=r"\['w'\]"):
        NonFiniteLossHook().after_train_epoch(_runner(model))
    # The hook runs before CheckpointHook at the same event.
    from mmengine.hooks import CheckpointHook
    from mmengine.runner.priority import get_priority
    assert get_priority(NonFiniteLossHook.priority) < \
        get_priority(CheckpointHook.priority)


def test_large_loss_warns_once_per_term():
    hook = NonFiniteLossHook(warn_loss=100)
    runner = _runner()
    for _ in range(3):
        hook.check_losses(runner, OrderedDict(loss=torch.tensor(2.6e16)))
    warnings = [m for lvl, m in runner.logger.records if lvl == 'warning']
    assert len(warnings) == 1 and 'loss = 2.6e+16' in warnings[0]
    with pytest.raises(ValueError, match='warn_loss'):
        NonFiniteLossHook(warn_loss='big')


# ---------------------------------------------------------------- RNG state
def test_rng_state_roundtrip_covers_python_numpy_torch():
    import random

    import numpy as np
    state = get_rng_state()
    want = (random.random(), np.random.rand(), torch.rand(1))
    set_rng_state(state)
    got = (random.random(), np.random.rand(), torch.rand(1))
    assert want[:2] == got[:2] and torch.equal(want[2], got[2])
    assert 80 < RngStateHook.priority < 90  # right before CheckpointHook


def test_rng_state_checkpoint_loads_weights_only(tmp_path):
    path = tmp_path / 'rng.pth'
    torch.save(dict(rng_state=dict(world_size=1, ranks=[get_rng_state()])),
               path)
    loaded = torch.load(path, weights_only=True)
    set_rng_state(loaded['rng_state']['ranks'][0])


# ----------------------------------------------------- atomic checkpoints
def test_checkpoint_writes_are_atomic(tmp_path):
    final = tmp_path / 'epoch_2.pth'
    final.write_bytes(b'previous good file')

    def killed_save(out_dir, filename, **kw):  # dies halfway through
        with open(os.path.join(out_dir, filename), 'wb') as f:
            f.write(b'half')
        raise KeyboardInterrupt

    runner = _runner(_resume=False, _load_from=None, work_dir=str(tmp_path))
    runner.save_checkpoint = killed_save
    CheckpointSafetyHook().before_run(runner)
    with pytest.raises(KeyboardInterrupt):
        runner.save_checkpoint(str(tmp_path), 'epoch_2.pth')
    assert final.read_bytes() == b'previous good file'

    def good_save(out_dir, filename, **kw):
        torch.save({'x': 1}, os.path.join(out_dir, filename))

    runner = _runner(_resume=False, _load_from=None, work_dir=str(tmp_path))
    runner.save_checkpoint = good_save
    CheckpointSafetyHook().before_run(runner)
    # The next run removed the killed save's leftover.
    assert not (tmp_path / 'epoch_2.pth.tmp').exists()
    runner.save_checkpoint(str(tmp_path), 'epoch_3.pth')
    assert torch.load(tmp_path / 'epoch_3.pth') == {'x': 1}
    assert not list(tmp_path.glob('*.tmp'))


def _resumable(**extra):
    return dict(state_dict={'w': torch.ones(100)}, meta=dict(epoch=1),
                message_hub={}, **extra)


def _work_dir_with_broken_latest(tmp_path):
    good, bad = tmp_path / 'epoch_1.pth', tmp_path / 'epoch_2.pth'
    torch.save(_resumable(), good)
    torch.save(_resumable(), bad)
    data = bad.read_bytes()
    bad.write_bytes(data[:len(data) // 2])  # truncated
    os.utime(good, (1, 1))  # older
    (tmp_path / 'last_checkpoint').write_text(str(bad))
    return good, bad


def test_auto_resume_falls_back_to_newest_readable(tmp_path):
    good, bad = _work_dir_with_broken_latest(tmp_path)
    assert checkpoint_problem(str(good)) is None
    assert 'truncated' in checkpoint_problem(str(bad))
    runner = _runner(_resume=True, _load_from=None, work_dir=str(tmp_path))
    CheckpointSafetyHook(atomic=False).before_run(runner)
    assert runner._load_from == str(good)
    (_, msg), = runner.logger.records
    assert str(bad) in msg and str(good) in msg and 'unusable' in msg
    # No last_checkpoint file: still the newest readable one.
    (tmp_path / 'last_checkpoint').unlink()
    runner = _runner(_resume=True, _load_from=None, work_dir=str(tmp_path))
    CheckpointSafetyHook(atomic=False).before_run(runner)
    assert runner._load_from == str(good)
    # Nothing readable: an error, not a silent fresh start.
    good.write_bytes(b'')
    runner = _runner(_resume=True, _load_from=None, work_dir=str(tmp_path))
    with pytest.raises(RuntimeError, match='no other intact checkpoint'):
        CheckpointSafetyHook(atomic=False).before_run(runner)


# --------------------------------------------------------- safe loading
class _WritesMarker:
    """Unpickling this object creates a file (stands for running code)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, 'w'))


@pytest.fixture
def crafted(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'crafted.pth'
    torch.save(dict(state_dict={'backbone.conv1.weight': torch.zeros(1)},
                    evil=_WritesMarker(marker)), path)
    # Not vacuous: a full unpickle of this file does run its code.
    torch.load(path, weights_only=False)
    assert marker.exists()
    marker.unlink()
    return path, marker


def test_crafted_pickle_refused_by_loader_and_export(crafted, tmp_path):
    path, marker = crafted
    with pytest.raises(pickle.UnpicklingError, match='refused'):
        load_weights_only(str(path))
    with pytest.raises(pickle.UnpicklingError, match='refused'):
        export_network.main([str(path), str(tmp_path / 'out.pth')])
    assert not marker.exists()


def test_crafted_pickle_refused_as_init_cfg_pretrained(crafted):
    path, marker = crafted
    model = MODELS.build(dict(
        type='ImageClassifier', backbone=BACKBONE,
        neck=dict(type='GlobalAveragePooling'), head=HEAD,
        init_cfg=dict(type='Pretrained', checkpoint=str(path))))
    # Inside the entry points' loading context (and outside it, torch's
    # weights_only default) the file is refused.
    with safe_checkpoint_loading():
        with pytest.raises(pickle.UnpicklingError):
            model.init_weights()
    assert not marker.exists()


def test_restricted_getattr_only_reaches_history_buffer_statistics(tmp_path):
    class Sneaky:
        def __reduce__(self):
            return (getattr, (HistoryBuffer, 'update'))

    path = tmp_path / 'sneaky.pth'
    torch.save({'x': Sneaky()}, path)
    with pytest.raises(pickle.UnpicklingError, match='refused getattr'):
        load_weights_only(str(path))
    # What MMEngine writes loads.
    buf = HistoryBuffer()
    buf.update(2.0)
    torch.save({'b': buf}, tmp_path / 'ok.pth')
    assert load_weights_only(str(tmp_path / 'ok.pth'))['b'].mean() == 2.0


def test_trust_flag_only_relaxes_resume_and_load_from(crafted):
    path, marker = crafted
    loaded = {}

    def load_or_resume():
        from mmengine.runner.checkpoint import _load_checkpoint
        loaded['ckpt'] = _load_checkpoint(str(path), map_location='cpu')

    runner = types.SimpleNamespace(load_or_resume=load_or_resume)
    trust_checkpoints_while_loading(runner)
    with safe_checkpoint_loading():
        runner.load_or_resume()  # full unpickling here, on request
        assert marker.exists() and 'state_dict' in loaded['ckpt']
        marker.unlink()
        with pytest.raises(pickle.UnpicklingError):  # but not elsewhere
            from mmengine.runner.checkpoint import _load_checkpoint
            _load_checkpoint(str(path), map_location='cpu')
    assert not marker.exists()


def test_empty_and_truncated_checkpoints_name_the_file(tmp_path):
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(RuntimeError, match=r'empty\.pth is empty \(0 bytes\)'):
        load_weights_only(str(empty))
    _, bad = _work_dir_with_broken_latest(tmp_path)
    with pytest.raises(RuntimeError, match='epoch_2.pth is truncated'):
        load_weights_only(str(bad))


# ------------------------------------ plain checkpoint, two-network model
def _adautomix():
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='AdAutoMix', backbone=BACKBONE,
        neck=dict(type='GlobalAveragePooling'), head=HEAD,
        mix_head=copy.deepcopy(HEAD), mix_samples=2))
    model.init_weights()
    return model


def test_load_from_plain_checkpoint_copies_online_into_teacher(tmp_path):
    torch.manual_seed(1)
    plain = MODELS.build(dict(type='ImageClassifier', backbone=BACKBONE,
                              neck=dict(type='GlobalAveragePooling'),
                              head=HEAD))
    plain.init_weights()
    path = tmp_path / 'plain.pth'
    torch.save(dict(state_dict=plain.state_dict(), meta={}), path)

    model = _adautomix()
    assert not torch.equal(model.backbone.conv1.weight,
                           plain.backbone.conv1.weight)
    with safe_checkpoint_loading():  # what Runner.load_checkpoint does
        load_checkpoint(model, str(path), map_location='cpu', strict=False)
    online, teacher = model.network('online'), model.network('ema')
    for part in ('backbone', 'head'):
        want = getattr(plain, part).state_dict()
        for name in ('online', 'ema'):
            got = getattr(model.network(name), part).state_dict()
            assert all(torch.equal(got[k], want[k]) for k in want), \
                (name, part)
    # The mix head (absent from the plain file) is equal in both networks.
    for k, v in online.mix_head.state_dict().items():
        assert torch.equal(v, teacher.mix_head.state_dict()[k])

    # Testing this model now fails with how to evaluate an exported network.
    model.eval()
    with pytest.raises(RuntimeError) as err:
        model.predict(torch.randn(2, 3, 16, 16))
    assert 'no EMA teacher weights' in str(err.value)
    assert 'plain ImageClassifier config' in str(err.value)
    assert 'tools/test.py' in NO_TEACHER_MESSAGE
    # Once trained (an EMA update), the teacher is the model's own.
    model.update_teacher(0.9)
    model.predict(torch.randn(2, 3, 16, 16))


def test_own_checkpoint_keeps_its_teacher():
    model = _adautomix()
    with torch.no_grad():
        for p in model.teacher.module.parameters():
            p.add_(1.0)
    state = copy.deepcopy(model.state_dict())
    fresh = _adautomix()
    fresh.load_state_dict(state)
    assert torch.equal(fresh.teacher.module['backbone'].conv1.weight,
                       state['teacher.module.backbone.conv1.weight'])
    assert not fresh._teacher_copied_from_online


# ------------------------------------------------------- smaller items (6)
def test_label_outside_num_classes_names_value_and_key():
    model = _adautomix()
    samples = [DataSample().set_gt_label(i) for i in (0, 1, 7)]
    with pytest.raises(ValueError, match=r'label 7 is outside \[0, 4\) of '
                       r'`head.num_classes=4`'):
        model.onehot_targets(samples, 'cpu')


@pytest.mark.parametrize('key', ['mixup_radio', 'beta_radio', 'alpha',
                                 'lam_margin'])
def test_ratio_given_as_string_names_the_key(key):
    with pytest.raises(TypeError, match=f"{key} must be a number, got '0.5x'"):
        MODELS.build(dict(type='AdAutoMix', backbone=BACKBONE,
                          neck=dict(type='GlobalAveragePooling'), head=HEAD,
                          **{key: '0.5x'}))


def test_auto_scale_lr_without_config_key_is_an_error(repo_root, tmp_path):
    cfg = repo_root / 'tests' / 'configs' / 'vanilla_deterministic.py'
    args = parse_args([str(cfg), '--auto-scale-lr', '--work-dir',
                       str(tmp_path)])
    base = Config.fromfile(str(cfg))
    if (base.get('auto_scale_lr') or {}).get('base_batch_size') is not None:
        args.cfg_options = {'auto_scale_lr': None}
    with pytest.raises(ValueError, match='auto_scale_lr.base_batch_size'):
        build_train_config(args)
    args.cfg_options = {'auto_scale_lr.base_batch_size': 256}
    cfg_out = build_train_config(args)
    assert cfg_out.auto_scale_lr == dict(base_batch_size=256, enable=True)


def test_dist_timeout_is_configured_and_checked(repo_root):
    runtime = Config.fromfile(str(repo_root / 'configs' / '_base_' /
                                  'default_runtime.py'))
    assert runtime.env_cfg.dist_cfg.timeout == 1800
    cli_common.check_dist_timeout(runtime)
    bad = Config(dict(env_cfg=dict(dist_cfg=dict(timeout='30min'))))
    with pytest.raises(ValueError, match=r"env_cfg.dist_cfg.timeout must be "
                       r"a positive number of seconds.*'30min'"):
        cli_common.check_dist_timeout(bad)
    # The CPU/gloo adaptation keeps the timeout.
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl',
                                                 timeout=60))))
    prepare_cpu_distributed(cfg, 'pytorch')
    if cfg.env_cfg.dist_cfg.backend == 'gloo':
        assert cfg.env_cfg.dist_cfg.timeout == 60


def test_entry_points_add_the_long_run_hooks_to_any_config():
    cfg = Config(dict(default_hooks=dict(checkpoint=dict(
        type='CheckpointHook')), custom_hooks=[dict(type='RngStateHook')]))
    cli_common.add_long_run_hooks(cfg)
    assert cfg.default_hooks.nonfinite_loss == dict(type='NonFiniteLossHook')
    assert cfg.default_hooks.checkpoint_safety == dict(
        type='CheckpointSafetyHook')
    assert 'rng_state' not in cfg.default_hooks  # already a custom hook
    off = Config(dict(default_hooks=dict(nonfinite_loss=None)))
    cli_common.add_long_run_hooks(off)
    assert 'nonfinite_loss' not in off.default_hooks  # switched off


def test_package_runtime_lists_the_long_run_hooks(repo_root):
    runtime = Config.fromfile(str(repo_root / 'configs' / '_base_' /
                                  'default_runtime.py'))
    types_ = {h['type'] for h in runtime.default_hooks.values()}
    assert {'NonFiniteLossHook', 'RngStateHook',
            'CheckpointSafetyHook'} <= types_



def test_mix_block_fallback_on_nonfinite_features_is_counted_and_logged():
    from mmengine.logging import MessageHub
    block = MODELS.build(dict(type='AttentionMixBlock', in_channels=4))
    wrapper = torch.nn.Module()
    wrapper.mix_block = block
    wrapper.parse_losses = lambda losses: (None, losses)
    runner = _runner(wrapper, message_hub=MessageHub.get_instance('wt8'))
    hook = NonFiniteLossHook()
    hook.before_train(runner)
    lam = torch.tensor([0.5, 0.5])
    block(torch.randn(2, 2, 4, 3, 3), lam, (6, 6))
    hook.after_train_iter(runner, 0)
    assert not runner.logger.records
    feats = torch.randn(2, 2, 4, 3, 3)
    feats[0, 0, 0, 0, 0] = float('nan')
    masks = block(feats, lam, (6, 6))
    assert torch.isfinite(masks).all()  # the reference's tolerance stays
    hook.after_train_iter(runner, 0)
    (level, msg), = runner.logger.records
    assert level == 'warning' and msg.startswith('mix_block: non-finite')
    assert 'iteration 12 (1 iteration(s) so far)' in msg
    assert runner.message_hub.get_scalar(
        'train/nonfinite_fallbacks').current() == 1


def test_nonfinite_loss_guard_covers_adautomix_loss_terms():
    model = _adautomix()
    model.set_game_state(adversarial=True, generator_enabled=True)
    with torch.no_grad():
        model.head.fc.weight[0, 0] = float('nan')  # the one-hot head only
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hook = NonFiniteLossHook()
    hook.before_train(_runner(model))
    samples = [DataSample().set_gt_label(i % 4) for i in range(4)]
    with pytest.raises(FloatingPointError) as err:
        model.train_step(dict(inputs=torch.randn(4, 3, 16, 16),
                              data_samples=samples), optim)
    assert "Non-finite loss 'loss_one' at iteration 12" in str(err.value)
    after = model.state_dict()
    changed = [k for k in before  # (NaN != NaN: compare with NaN as 0)
               if not torch.equal(before[k].nan_to_num(), after[k].nan_to_num())]
    assert changed and all(k.endswith(('running_mean', 'running_var',
                                       'num_batches_tracked'))
                           for k in changed), changed
