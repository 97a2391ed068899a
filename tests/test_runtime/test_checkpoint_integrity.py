"""Files that are only read run nothing; checksums on every load path;
rotation only after a durable save; auto-resume of the run's own files; the
finite-divergence guard; resuming with a new learning rate; the inexact
resume warning. In-process and cheap; the end-to-end
runs are in test_divergence.py and test_checkpoint_rotation.py."""
import json
import os
import types
from collections import OrderedDict
from unittest import mock

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import CheckpointHook

import adautomix_mm  # noqa: F401  (registers modules)
from adautomix_mm.runtime.cli import compare, export_network
from adautomix_mm.runtime.compat import (load_weights_only,
                                         safe_checkpoint_loading)
from adautomix_mm.runtime.compat.stored_config import (UnsafeConfigError,
                                                       parse_dumped_config)
from adautomix_mm.runtime.hooks import (CheckpointSafetyHook, DivergenceError,
                                        NonFiniteLossHook, ResumeLrScaleHook,
                                        RngStateHook)
from adautomix_mm.runtime.hooks.rng_state_hook import inexact_loader_warning


def _runner(**kw):
    base = dict(iter=11, epoch=2, work_dir='/tmp/wd', logger=mock.Mock(),
                hooks=[], _resume=False, _load_from=None)
    base.update(kw)
    return types.SimpleNamespace(**base)


def _logged(runner, level):
    """Messages ``runner.logger.<level>`` was called with."""
    return [c.args[0] for c in getattr(runner.logger, level).call_args_list]


# ------------------------------------------------- item 1: nothing executes
def _hostile(marker):
    """Config texts that would create ``marker`` if executed."""
    m = str(marker)
    return [
        f"import os\nos.system('touch {m}')\nmodel = dict(type='X')\n",
        f"model = dict(type=__import__('os').system('touch {m}'))\n",
        f"model = dict(a=open('{m}', 'w'))\n",
        f"model = [open('{m}', 'w') for _ in range(1)]\n",
    ]


@pytest.fixture
def vanilla_dump(vanilla_cfg):
    return Config.fromfile(str(vanilla_cfg)).pretty_text


def test_dumped_config_parses_as_mmengine_reads_it(vanilla_dump):
    parsed = Config(parse_dumped_config(vanilla_dump)).to_dict()
    assert parsed == Config.fromstring(vanilla_dump, '.py').to_dict()
    assert parsed['model']['type'] == 'ImageClassifier'
    literals = "x = {'a b': -1.5, 'c': (1, None, True)}\ny = {2, 3}\n"
    assert parse_dumped_config(literals) == dict(
        x={'a b': -1.5, 'c': (1, None, True)}, y={2, 3})


@pytest.mark.parametrize('index', range(4))
def test_hostile_config_text_is_refused(tmp_path, index):
    marker = tmp_path / 'pwned'
    text = _hostile(marker)[index]
    with pytest.raises(UnsafeConfigError,
                       match=r'src\.py, line \d+: .*--trust-config'):
        parse_dumped_config(text, 'src.py')
    assert not marker.exists()


def _exportable(tmp_path, meta):
    path = tmp_path / 'run.pth'
    torch.save(dict(state_dict={'backbone.w': torch.ones(2)}, meta=meta),
               path)
    return path


def test_export_runs_no_code_from_meta_cfg(tmp_path):
    marker = tmp_path / 'pwned'
    ckpt = _exportable(tmp_path, dict(cfg=_hostile(marker)[1]))
    out = str(tmp_path / 'out.pth')
    with pytest.raises(UnsafeConfigError) as err:
        export_network.main([str(ckpt), out])
    assert f"meta['cfg'] of {ckpt}, line 1: `__import__('os')" in \
        str(err.value)
    assert '--trust-config' in str(err.value) and not marker.exists()
    # Not vacuous: executing the text (what --trust-config does) runs it.
    with pytest.raises(Exception):
        export_network.main([str(ckpt), out, '--trust-config'])
    assert marker.exists()


def test_export_looks_up_no_module_named_by_a_stored_type(tmp_path):
    text = ("model = dict(type='ImageClassifier', backbone=dict("
            "type='antigravity_x.Net'), head=dict(type='ctypes.util.Head'))\n")
    ckpt = _exportable(tmp_path, dict(cfg=text))
    import sys
    export_network.main([str(ckpt), str(tmp_path / 'out.pth')])
    assert 'antigravity_x' not in sys.modules
    assert not export_network._plain_type('ctypes.util.Head')
    assert export_network._plain_type('mmpretrain.ResNet')


def _work_dir(root, config_text):
    seg = root / '20260101_000000' / 'vis_data'
    seg.mkdir(parents=True)
    (seg / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in (
        dict(iter=1, epoch=1, loss=2.0, lr=0.1),
        dict(step=1, **{'accuracy/top1': 50.0}))) + '\n')
    (seg / 'config.py').write_text(config_text)
    return root


def test_compare_runs_no_code_from_a_work_dir(tmp_path, vanilla_dump):
    marker = tmp_path / 'pwned'
    wd = _work_dir(tmp_path / 'run', _hostile(marker)[1])
    with pytest.raises(UnsafeConfigError, match=r'config\.py, line 1: '
                       r'`__import__.*--trust-config'):
        compare.main([str(wd)])
    assert not marker.exists()
    compare.main([str(wd), '--trust-config'])  # executes it
    assert marker.exists()
    # A real dump is read without executing it.
    ok = _work_dir(tmp_path / 'ok', vanilla_dump)
    assert '| vanilla |' in compare.main([str(ok)])


def test_resume_runs_no_code_from_meta_config(tmp_path):
    """``Runner.resume`` executes ``meta['config']``: the loader reduces it
    to its ``gpu_ids`` and drops text holding code, with a warning."""
    from mmengine.runner.checkpoint import _load_checkpoint
    marker = tmp_path / 'pwned'
    path = tmp_path / 'epoch_1.pth'
    torch.save(dict(meta=dict(config=_hostile(marker)[1], epoch=1)), path)
    with safe_checkpoint_loading(), mock.patch(
            'adautomix_mm.runtime.compat.checkpoint.print_log') as log:
        # what resume, load_from and tools/test.py call
        meta = _load_checkpoint(str(path), map_location='cpu')['meta']
    assert meta == dict(epoch=1) and not marker.exists()
    out = log.call_args.args[0]
    assert f"meta['config'] of {path}, line 1: `__import__" in out
    assert 'dropped and nothing in it runs' in out
    torch.save(dict(meta=dict(config="gpu_ids = [0, 1]\n_base_ = ['x.py']\n"
                              "custom_imports = dict(imports=['os'])\n")),
               path)
    assert load_weights_only(str(path))['meta']['config'] == \
        'gpu_ids = [0, 1]\n'


# ------------------------------------------- item 4: checksums, every path
def _flip_byte_in_tensor(path, tensor):
    data = bytearray(path.read_bytes())
    raw = tensor.detach().contiguous().numpy().tobytes()
    at = bytes(data).index(raw[len(raw) // 2:len(raw) // 2 + 32])
    data[at + 3] ^= 0x10
    path.write_bytes(bytes(data))
    # The file still unpickles, with one value changed: only a checksum
    # tells.
    loaded = torch.load(path, weights_only=False)
    return loaded


@pytest.fixture(scope='module')
def flipped(tmp_path_factory, vanilla_cfg):
    """A training checkpoint of the vanilla config with one byte flipped
    inside a tensor; work dir ``wd`` holds it as the latest checkpoint."""
    from mmpretrain.registry import MODELS
    root = tmp_path_factory.mktemp('flipped')
    cfg = Config.fromfile(str(vanilla_cfg))
    model = MODELS.build(cfg.model)
    state = model.state_dict()
    wd = root / 'wd'
    wd.mkdir()
    path = wd / 'epoch_1.pth'
    torch.save(dict(state_dict=state, meta=dict(epoch=1, iter=4,
                                                cfg=cfg.pretty_text),
                    message_hub={}), path)
    name = 'backbone.layer1.0.conv1.weight'
    loaded = _flip_byte_in_tensor(path, state[name])
    assert not torch.equal(loaded['state_dict'][name], state[name])
    (wd / 'last_checkpoint').write_text('epoch_1.pth')
    return path


def _fast(e2e, *extra):
    return e2e.cfg_options(*extra)


@pytest.mark.parametrize('entry', ['resume', 'load_from', 'test', 'export',
                                   'auto_resume'])
def test_flipped_byte_is_reported_on_every_load_path(
        e2e, vanilla_cfg, flipped, tmp_path, entry):
    from adautomix_mm.runtime.cli import test as cli_test
    from adautomix_mm.runtime.cli import train as cli_train
    cfg = str(vanilla_cfg)
    work = ['--work-dir', str(tmp_path / 'w')]
    with pytest.raises(RuntimeError) as err:
        if entry == 'resume':
            cli_train.main([cfg, '--resume', str(flipped)] + work +
                           _fast(e2e))
        elif entry == 'load_from':
            cli_train.main([cfg] + work +
                           _fast(e2e, f'load_from={flipped}'))
        elif entry == 'test':
            cli_test.main([cfg, str(flipped)] + work + _fast(e2e))
        elif entry == 'export':
            export_network.main([str(flipped), str(tmp_path / 'o.pth')])
        else:  # auto-resume of the work dir whose latest file is flipped
            cli_train.main([cfg, '--resume', '--work-dir',
                            str(flipped.parent)] + _fast(e2e))
    msg = str(err.value)
    assert str(flipped) in msg, msg
    assert 'does not match the checksum recorded when it was saved' in msg


# ----------------------------- item 3: rotation after the save is durable
class _Killed(BaseException):
    pass


def _checkpoint_runner(work_dir, kill_at=None, safety=True, resumed=None):
    """A runner with MMEngine's CheckpointHook (max_keep_ckpts=1) whose save
    dies halfway through the file at epoch ``kill_at``; ``resumed``: the
    checkpoint ids kept when the resumed checkpoint was written."""
    from mmengine.logging import MessageHub
    hook = CheckpointHook(interval=1, max_keep_ckpts=1)
    hub = MessageHub(f'ck{work_dir}{resumed}')
    if resumed is not None:
        hub.update_info('keep_ckpt_ids', resumed)
    runner = _runner(work_dir=str(work_dir), hooks=[hook], epoch=0,
                     message_hub=hub)

    def save_checkpoint(out_dir, filename, *args, **kwargs):
        path = os.path.join(out_dir, filename)
        torch.save(dict(meta=dict(epoch=runner.epoch + 1), message_hub={},
                        state_dict={'w': torch.ones(64)}), path)
        if runner.epoch + 1 == kill_at:
            with open(path, 'r+b') as f:  # killed while writing
                f.truncate(os.path.getsize(path) // 2)
            raise _Killed

    runner.save_checkpoint = save_checkpoint
    if safety:
        CheckpointSafetyHook().before_run(runner)
    hook.before_train(runner)
    return runner, hook


def test_rotation_removes_old_checkpoints_only_after_a_durable_save(
        tmp_path):
    runner, hook = _checkpoint_runner(tmp_path, kill_at=2)
    hook.after_train_epoch(runner)
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_1.pth'
    runner.epoch = 1
    with pytest.raises(_Killed):
        hook.after_train_epoch(runner)
    # Killed during the save of epoch 2: epoch 1 survives and is named.
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_1.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_1.pth'
    assert load_weights_only(str(tmp_path / 'epoch_1.pth'))['meta'] == \
        dict(epoch=1)
    # A later run resumes it and rotates normally.
    runner, hook = _checkpoint_runner(tmp_path, resumed=[1])
    runner.epoch = 1
    hook.after_train_epoch(runner)
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_2.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == 'epoch_2.pth'

    # Not vacuous: MMEngine's own order removes epoch 1 before writing.
    other = tmp_path / 'mmengine'
    other.mkdir()
    runner, hook = _checkpoint_runner(other, kill_at=2, safety=False)
    hook.after_train_epoch(runner)
    runner.epoch = 1
    with pytest.raises(_Killed):
        hook.after_train_epoch(runner)
    assert 'epoch_1.pth' not in os.listdir(other)


# --------------------------------- item 5: auto-resume of the run's own files
def _save(path, resumable=True, mtime=None):
    ckpt = dict(state_dict={'w': torch.ones(8)})
    if resumable:
        ckpt.update(meta=dict(epoch=1), message_hub={})
    torch.save(ckpt, path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def test_auto_resume_ignores_exported_and_foreign_files(tmp_path):
    _save(tmp_path / 'epoch_2.pth', mtime=100)
    _save(tmp_path / 'epoch_3.pth', mtime=200)
    data = (tmp_path / 'epoch_3.pth').read_bytes()
    (tmp_path / 'epoch_3.pth').write_bytes(data[:len(data) // 2])
    _save(tmp_path / 'epoch_9.pth', resumable=False, mtime=300)  # foreign
    _save(tmp_path / 'teacher.pth', resumable=False, mtime=400)  # exported
    _save(tmp_path / 'latest_weights.pth', mtime=500)  # not of this run
    (tmp_path / 'last_checkpoint').write_text('epoch_3.pth')
    runner = _runner(_resume=True, work_dir=str(tmp_path),
                     hooks=[CheckpointHook(interval=1)])
    CheckpointSafetyHook(atomic=False).before_run(runner)
    assert runner._load_from == str(tmp_path / 'epoch_2.pth')
    msg, = _logged(runner, 'warning')
    assert 'epoch_3.pth is unusable' in msg and 'epoch_2.pth' in msg
    # Nothing of the run is intact: the error lists what was rejected.
    (tmp_path / 'epoch_2.pth').unlink()
    runner = _runner(_resume=True, work_dir=str(tmp_path),
                     hooks=[CheckpointHook(interval=1)])
    with pytest.raises(RuntimeError, match=r'epoch_9\.pth: not a resumable'):
        CheckpointSafetyHook(atomic=False).before_run(runner)


def test_copied_work_dir_resumes_its_own_checkpoint(tmp_path):
    original, copy = tmp_path / 'orig', tmp_path / 'copy'
    for d in (original, copy):
        d.mkdir()
        _save(d / 'epoch_2.pth')
    # Written by MMEngine (absolute) in the original directory, then copied.
    (copy / 'last_checkpoint').write_text(str(original / 'epoch_2.pth'))
    runner = _runner(_resume=True, work_dir=str(copy))
    CheckpointSafetyHook(atomic=False).before_run(runner)
    assert runner._load_from == str(copy / 'epoch_2.pth')
    assert 'outside this work dir' in _logged(runner, 'warning')[0]
    # Written by this package: relative.
    (copy / 'last_checkpoint').write_text('epoch_2.pth')
    runner = _runner(_resume=True, work_dir=str(copy))
    CheckpointSafetyHook(atomic=False).before_run(runner)
    assert runner._load_from == str(copy / 'epoch_2.pth')
    assert not _logged(runner, 'warning')


# ------------------------------------------ item 6: finite divergence guard
class _Net(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.full((4, ), 0.5))  # norm 1


def test_parameter_norm_far_above_its_level_stops(tmp_path):
    model = _Net()
    _save(tmp_path / 'epoch_2.pth')
    (tmp_path / 'last_checkpoint').write_text('epoch_2.pth')
    runner = _runner(model=model, work_dir=str(tmp_path),
                     cfg=types.SimpleNamespace(filename='cfg.py'))
    hook = NonFiniteLossHook(norm_ratio=10, window=3)
    for scale in (1, 2, 1.5, 1, 9.9):  # level: min of running medians = 1
        with torch.no_grad():
            model.w.fill_(0.5 * scale)
        hook.after_train_iter(runner, 0)
    with torch.no_grad():
        model.w.fill_(0.5 * 10.5)
    with pytest.raises(DivergenceError) as err:
        hook.after_train_iter(runner, 0)
    msg = str(err.value)
    assert 'parameter norm after iteration 12 (epoch 3) is 10.5, 10.5 ' \
        'times its level 1' in msg and 'norm_ratio = 10' in msg
    assert (f'python tools/train.py cfg.py --work-dir {tmp_path} --resume '
            f'{tmp_path / "epoch_2.pth"} --resume-lr-scale 0.1') in msg
    assert isinstance(err.value, FloatingPointError)
    NonFiniteLossHook(norm_ratio=None).after_train_iter(runner, 0)  # off
    # Zero-initialised weights have no level yet: their growth is no jump.
    hook = NonFiniteLossHook()
    for scale in (0, 0, 1, 1.2):
        with torch.no_grad():
            model.w.fill_(scale)
        hook.after_train_iter(runner, 0)


def test_loss_far_above_its_running_median_stops():
    hook = NonFiniteLossHook(loss_ratio=100, loss_floor=1.0)
    runner = _runner()
    for value in [2.0] * 10 + [199.0]:  # median 2: limit 200
        hook.check_losses(runner, OrderedDict(loss=torch.tensor(value)))
    with pytest.raises(DivergenceError, match=r"loss 'loss' at iteration 12 "
                       r"\(epoch 3\) far above .*\|loss\| = 201 > 100 x 2 "):
        hook.check_losses(runner, OrderedDict(loss=torch.tensor(201.0)))
    # Tiny losses: relative jumps below loss_floor x ratio are ignored.
    hook = NonFiniteLossHook()
    for _ in range(20):
        hook.check_losses(runner, OrderedDict(loss=torch.tensor(1e-3)))
    hook.check_losses(runner, OrderedDict(loss=torch.tensor(50.0)))
    # Only from 10 iterations of history on.
    hook = NonFiniteLossHook()
    hook.check_losses(runner, OrderedDict(loss=torch.tensor(1.0)))
    hook.check_losses(runner, OrderedDict(loss=torch.tensor(1e3)))


@pytest.mark.parametrize('kw,key', [(dict(norm_ratio=0), 'norm_ratio'),
                                    (dict(loss_ratio='x'), 'loss_ratio'),
                                    (dict(loss_floor=None), 'loss_floor'),
                                    (dict(window=0), 'window')])
def test_divergence_options_are_checked(kw, key):
    with pytest.raises(ValueError, match=f'NonFiniteLossHook: {key} must'):
        NonFiniteLossHook(**kw)


# --------------------------------------- resuming with a new learning rate
def _scheduled(lr=0.1, steps=3):
    from mmengine.optim import CosineAnnealingLR
    model = torch.nn.Linear(2, 2)
    optim = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = CosineAnnealingLR(optim, T_max=10, eta_min=0.01, by_epoch=False)
    lrs = []
    for _ in range(steps):
        optim.step()
        sched.step()
        lrs.append(optim.param_groups[0]['lr'])
    return optim, sched, lrs


def test_resume_lr_scale_scales_the_rest_of_the_schedule():
    optim, sched, _ = _scheduled(steps=3)
    checkpoint = dict(optimizer=optim.state_dict(),
                      param_schedulers=[sched.state_dict()])
    _, _, want = _scheduled(steps=8)  # the uninterrupted schedule
    runner = _runner(_resume=True)
    ResumeLrScaleHook(0.1).after_load_checkpoint(runner, checkpoint)
    # What Runner.resume does next: fresh objects, states restored.
    optim2, sched2, _ = _scheduled(steps=0)
    optim2.load_state_dict(checkpoint['optimizer'])
    sched2.load_state_dict(checkpoint['param_schedulers'][0])
    got = [optim2.param_groups[0]['lr']]
    for _ in range(5):
        optim2.step()
        sched2.step()
        got.append(optim2.param_groups[0]['lr'])
    assert got == pytest.approx([0.1 * x for x in want[2:]], rel=1e-12)
    msg, = _logged(runner, 'info')
    assert 'x 0.1' in msg and f'-> {0.1 * want[2]}' in msg
    # load_from (not a resume): nothing is changed.
    checkpoint = dict(optimizer=optim.state_dict())
    ResumeLrScaleHook(0.1).after_load_checkpoint(_runner(), checkpoint)
    assert checkpoint['optimizer']['param_groups'][0]['lr'] == want[2]
    with pytest.raises(ValueError, match='scale must be a positive'):
        ResumeLrScaleHook(0)


def test_resume_lr_scale_option_needs_resume(vanilla_cfg, capsys):
    from adautomix_mm.runtime.cli.train import parse_args
    with pytest.raises(SystemExit):
        parse_args([str(vanilla_cfg), '--resume-lr-scale', '0.1'])
    assert '--resume-lr-scale needs --resume' in capsys.readouterr().err


# ------------------------------------------ item 7: inexact resume warning
def test_resume_with_persistent_workers_warns_naming_the_setting():
    from torch.utils.data import DataLoader
    data = list(range(8))
    loader = DataLoader(data, num_workers=2, persistent_workers=True)
    msg = inexact_loader_warning(loader, mid_epoch=False)
    assert 'persistent_workers=True with num_workers=2' in msg
    assert 'num_workers=0' in msg  # how to make it exact
    loader = DataLoader(data, num_workers=2, persistent_workers=False)
    assert inexact_loader_warning(loader, mid_epoch=False) is None
    assert 'mid-epoch' in inexact_loader_warning(loader, mid_epoch=True)
    assert inexact_loader_warning(DataLoader(data), mid_epoch=True) is None
    # Logged when a resume loads the checkpoint.
    loader = DataLoader(data, num_workers=2, persistent_workers=True)
    runner = _runner(_resume=True,
                     train_loop=types.SimpleNamespace(dataloader=loader))
    RngStateHook().after_load_checkpoint(runner, dict(meta=dict(epoch=1)))
    assert any('Inexact resume: train_dataloader.persistent_workers=True'
               in m for m in _logged(runner, 'warning'))
