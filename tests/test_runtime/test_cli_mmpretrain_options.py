"""tools/test.py and tools/train.py take mmpretrain 1.2's options and merge
them into the config as mmpretrain's scripts do, with this package's fixes
on top."""
import pickle
import textwrap

import mmengine
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401
from adautomix_mm.runtime.cli import mmpretrain_tools
from adautomix_mm.runtime.cli import test as test_cli
from adautomix_mm.runtime.cli import train as train_cli
from adautomix_mm.models.tta import AverageNetworkScoresTTA

ADAUTOMIX_CFG = 'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'
TEST_FAST = ['test_dataloader.dataset.indices=16',
             'test_dataloader.batch_size=8']


def _test_cfg(argv):
    return test_cli.build_test_config(test_cli.parse_args(argv))


def test_every_mmpretrain_option_is_accepted(vanilla_cfg):
    """Each option of mmpretrain's own scripts parses (their parsers are
    used), beside this package's."""
    for name, cli, pos in (('test', test_cli, ['ckpt.pth']),
                           ('train', train_cli, [])):
        theirs = {a.dest for a in mmpretrain_tools.tool_parser(name)._actions}
        args = cli.parse_args([str(vanilla_cfg)] + pos +
                              ['--trust-checkpoint'])
        assert theirs - {'help'} <= set(vars(args))
        assert args.trust_checkpoint
    assert {'tta', 'show_dir', 'show', 'out_item', 'interval', 'wait_time',
            'no_pin_memory'} <= set(vars(test_cli.parse_args(
                [str(vanilla_cfg), 'ckpt.pth'])))


def test_show_dir_sets_the_visualization_hook(vanilla_cfg):
    cfg = _test_cfg([str(vanilla_cfg), 'ckpt.pth', '--show-dir', 'vis',
                    '--interval', '3', '--wait-time', '0.5'])
    assert cfg.default_hooks.visualization == dict(
        type='VisualizationHook', enable=True, show=False, wait_time=0.5,
        out_dir='vis', interval=3)
    assert cfg.load_from == 'ckpt.pth'
    shown = _test_cfg([str(vanilla_cfg), 'ckpt.pth', '--show'])
    assert shown.default_hooks.visualization.show is True
    assert shown.default_hooks.visualization.enable is True
    assert _test_cfg([str(vanilla_cfg), 'ckpt.pth']).default_hooks \
        .visualization.enable is False


def test_tta_uses_the_configs_tta_model_and_pipeline(vanilla_cfg, tmp_path):
    path = tmp_path / 'with_tta.py'
    path.write_text(textwrap.dedent(f"""
        _base_ = [{str(vanilla_cfg)!r}]
        tta_model = dict(type='AverageClsScoreTTA')
        tta_pipeline = [dict(type='TestTimeAug', transforms=[
            [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip',
                                                     prob=0.)],
            [dict(type='PackInputs')]])]
    """))
    plain = Config.fromfile(str(path))
    cfg = _test_cfg([str(path), 'ckpt.pth', '--tta'])
    assert cfg.model.type == 'AverageClsScoreTTA'
    assert cfg.model.module == plain.model
    assert cfg.test_dataloader.dataset.pipeline == plain.tta_pipeline
    untouched = _test_cfg([str(path), 'ckpt.pth'])
    assert untouched.model == plain.model


def test_tta_without_tta_model_flips_and_averages_every_network(tmp_path,
                                                                 repo_root):
    plain = Config.fromfile(str(repo_root / ADAUTOMIX_CFG))
    cfg = _test_cfg([str(repo_root / ADAUTOMIX_CFG), 'ckpt.pth', '--tta'])
    assert cfg.model.type == 'AverageNetworkScoresTTA'
    assert cfg.model.module == plain.model
    # mmpretrain's default: the test pipeline with a flip / no-flip view
    tta = cfg.test_dataloader.dataset.pipeline[-1]
    assert tta.type == 'TestTimeAug'
    assert [t.prob for t in tta.transforms[0]] == [1., 0.]
    assert tta.transforms[1] == [dict(type='PackInputs')]


def test_out_item_metrics_and_out_checks(vanilla_cfg, capsys):
    args = test_cli.parse_args([str(vanilla_cfg), 'c.pth', '--out-item',
                                'metrics', '--out', 'm.json'])
    assert (args.out, args.out_item) == ('m.json', 'metrics')
    for bad in (['--out-item', 'pred'], ['--out', 'p.json'],
                ['--out', 'p.json', '--out-item', 'pred']):
        with pytest.raises(SystemExit):
            test_cli.parse_args([str(vanilla_cfg), 'c.pth'] + bad)
    err = capsys.readouterr().err
    assert '--out-item needs --out' in err and "'p.json'" in err


def test_amp_on_a_config_without_test_cfg(vanilla_cfg, tmp_path):
    path = tmp_path / 'no_test_cfg.py'
    path.write_text(f'_base_ = [{str(vanilla_cfg)!r}]\n')
    cfg = Config.fromfile(str(path))
    cfg.pop('test_cfg', None)
    cfg.dump(str(path))
    # mmpretrain's merge_args alone fails here (cfg.test_cfg.fp16 = True)
    args = test_cli.parse_args([str(path), 'c.pth', '--amp'])
    with pytest.raises(AttributeError):
        mmpretrain_tools.merge_args('test', Config.fromfile(str(path)), args)
    assert test_cli.build_test_config(args).test_cfg == dict(fp16=True)


def test_no_pin_memory_and_mmpretrain_loader_defaults(vanilla_cfg):
    cfg = _test_cfg([str(vanilla_cfg), 'c.pth', '--no-pin-memory'])
    assert cfg.test_dataloader.pin_memory is False
    assert cfg.test_dataloader.collate_fn == dict(type='default_collate')


def test_average_network_scores_tta_averages_each_network():
    views = []
    for ema, online in (([.6, .4], [.2, .8]), ([.0, 1.], [.4, .6])):
        sample = DataSample().set_pred_score(torch.tensor(ema))
        sample.set_pred_label(torch.tensor([0]))
        sample.set_field(torch.tensor(ema), 'pred_score_ema')
        sample.set_field(torch.tensor(online), 'pred_score_online')
        views.append(sample)
    tta = AverageNetworkScoresTTA(module=MODELS.build(dict(
        type='ImageClassifier', backbone=dict(type='LeNet5'))))
    (merged, ) = tta.merge_preds([views])
    torch.testing.assert_close(merged.pred_score, torch.tensor([.3, .7]))
    torch.testing.assert_close(merged.pred_score_ema, torch.tensor([.3, .7]))
    torch.testing.assert_close(merged.pred_score_online,
                               torch.tensor([.3, .7]))
    assert merged.pred_label.tolist() == [1]


def _checkpoint(cfg_path, path):
    model = MODELS.build(Config.fromfile(str(cfg_path)).model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)


def test_tta_run_with_metrics_out(repo_root, tmp_path):
    """A real ``--tta`` evaluation of AdAutoMix: both networks evaluated on
    the averaged views; ``--out-item metrics`` writes the metrics."""
    cfg_path = repo_root / ADAUTOMIX_CFG
    _checkpoint(cfg_path, tmp_path / 'c.pth')
    metrics = test_cli.main([
        str(cfg_path), str(tmp_path / 'c.pth'), '--tta', '--out-item',
        'metrics', '--out', str(tmp_path / 'm.json'), '--work-dir',
        str(tmp_path / 'w'), '--cfg-options'] + TEST_FAST)
    assert {'accuracy_ema/top1', 'accuracy_online/top1'} <= set(metrics)
    assert mmengine.load(str(tmp_path / 'm.json')) == pytest.approx(metrics)


def test_prediction_out_and_show_dir_run(vanilla_cfg, tmp_path):
    _checkpoint(vanilla_cfg, tmp_path / 'c.pth')
    test_cli.main([
        str(vanilla_cfg), str(tmp_path / 'c.pth'), '--out',
        str(tmp_path / 'p.pkl'), '--show-dir', str(tmp_path / 'vis'),
        '--interval', '8',
        '--work-dir', str(tmp_path / 'w'), '--cfg-options'] + TEST_FAST)
    with open(tmp_path / 'p.pkl', 'rb') as f:
        assert len(pickle.load(f)) == 16
    assert len(list((tmp_path / 'vis').glob('*.png'))) == 2


# ------------------------------------------------------------------- train
def _loader_cfg(vanilla_cfg, tmp_path):
    """A train loader that does not set persistent_workers."""
    path = tmp_path / 'loader.py'
    path.write_text(textwrap.dedent(f"""
        _base_ = [{str(vanilla_cfg)!r}]
        train_dataloader = dict(
            _delete_=True, batch_size=16, num_workers=0,
            dataset=dict(type='EmbeddedFashionMNIST', split='train',
                         pipeline=[dict(type='PackInputs')]),
            sampler=dict(type='DefaultSampler', shuffle=True))
    """))
    return str(path)


def test_train_gets_mmpretrain_loader_defaults_without_the_worker_trap(
        vanilla_cfg, tmp_path):
    path = _loader_cfg(vanilla_cfg, tmp_path)
    cfg = train_cli.build_train_config(train_cli.parse_args([path]))
    loader = cfg.train_dataloader
    assert loader.pin_memory is True  # mmpretrain's defaults reach it
    assert loader.collate_fn == dict(type='default_collate')
    # mmpretrain adds persistent_workers=True, which PyTorch refuses with
    # num_workers=0; not added here.
    assert loader.persistent_workers is False
    with_workers = train_cli.build_train_config(train_cli.parse_args(
        [path, '--cfg-options', 'train_dataloader.num_workers=2']))
    assert with_workers.train_dataloader.persistent_workers is True
    # Explicitly asked for: kept (PyTorch's own error then names it).
    explicit = train_cli.build_train_config(train_cli.parse_args(
        [path, '--cfg-options', 'train_dataloader.persistent_workers=True']))
    assert explicit.train_dataloader.persistent_workers is True
    no_persist = train_cli.build_train_config(train_cli.parse_args(
        [path, '--no-persistent-workers', '--no-pin-memory',
         '--cfg-options', 'train_dataloader.num_workers=2']))
    assert no_persist.train_dataloader.persistent_workers is False
    assert no_persist.train_dataloader.pin_memory is False


def test_train_amp_and_no_validate_and_resume(repo_root):
    cfg = train_cli.build_train_config(train_cli.parse_args(
        [str(repo_root / ADAUTOMIX_CFG), '--amp', '--no-validate',
         '--resume']))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.val_dataloader is None and cfg.val_cfg is None
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.default_hooks.rng_state == dict(type='RngStateHook')


def test_runner_type_is_built_from_the_registry():
    @RUNNERS.register_module(force=True)
    class MarkerRunner:

        @classmethod
        def from_cfg(cls, cfg):
            return ('built', cfg.runner_type)

    assert mmpretrain_tools.build_runner(Config(dict(
        runner_type='MarkerRunner'))) == ('built', 'MarkerRunner')


def test_no_validate_wins_over_val_cfg_options(vanilla_cfg):
    """mmpretrain's merge applies --cfg-options after --no-validate, so
    `val_dataloader.*` options fail there; here they are merged first."""
    cfg = train_cli.build_train_config(train_cli.parse_args(
        [str(vanilla_cfg), '--no-validate', '--cfg-options',
         'val_dataloader.batch_size=32', 'train_dataloader.batch_size=8']))
    assert cfg.val_dataloader is None and cfg.val_evaluator is None
    assert cfg.train_dataloader.batch_size == 8
