"""MixedSampleVisualizationHook: the grid shows the masks training uses
(train-mode teacher features on the whole batch), and drawing it changes no
state of the run (buffers, mode, RNG)."""
import copy
import logging
from types import SimpleNamespace

import mmcv
import numpy as np
import pytest
import torch
from mmpretrain.registry import HOOKS, MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401
from adautomix_mm.engine.hooks import mix_visualization_hook as hook_module

from test_adautomix import NUM_CLASSES, build

BATCH, SHOWN, SIZE, N = 6, 4, 16, 3


def build_model():
    """The AdAutoMix of test_adautomix (N=3, non-trivial Mix Block) with a
    data preprocessor for raw uint8 batches."""
    return build(data_preprocessor=dict(
        type='ClsDataPreprocessor', num_classes=NUM_CLASSES,
        mean=[127.5] * 3, std=[64.0] * 3))


def data_batch():
    gen = torch.Generator().manual_seed(1)
    return dict(
        inputs=[torch.randint(0, 256, (3, SIZE, SIZE), generator=gen,
                              dtype=torch.uint8) for _ in range(BATCH)],
        data_samples=[DataSample().set_gt_label(i % NUM_CLASSES)
                      for i in range(BATCH)])


class Recorder:

    def __init__(self):
        self.images = []

    def add_image(self, name, image, step):
        self.images.append((name, image, step))


def fake_runner(model, tmp_path):
    return SimpleNamespace(model=model, work_dir=str(tmp_path),
                           visualizer=Recorder(),
                           logger=logging.getLogger('test_mix_vis'))


def spy_on_preview(model):
    calls = []
    original = model.mix_preview

    def spy(inputs, *args):
        calls.append(dict(training=model.training,
                          teacher_training=model.teacher.training,
                          batch=inputs.size(0)))
        return original(inputs, *args)

    model.mix_preview = spy
    return calls


@pytest.mark.parametrize('model_training', [True, False])
def test_draw_uses_train_mode_on_the_whole_batch_and_restores_state(
        tmp_path, model_training):
    model = build_model()
    model.train(model_training)
    hook = HOOKS.build(dict(type='MixedSampleVisualizationHook',
                            num_images=SHOWN, seed=0))
    runner = fake_runner(model, tmp_path)
    hook.before_train_iter(runner, 0, data_batch())
    calls = spy_on_preview(model)
    buffers = {n: b.clone() for n, b in model.named_buffers()}
    torch.manual_seed(123)
    rng = torch.get_rng_state()

    path = hook.draw(runner, step=2)

    assert calls == [dict(training=True, teacher_training=True,
                          batch=BATCH)]
    assert model.training is model_training
    assert torch.equal(torch.get_rng_state(), rng)
    for name, b in model.named_buffers():
        assert torch.equal(b, buffers[name]), name
    # The teacher's train-mode forward did move BN statistics (restored
    # above), so the restore is what kept them.
    probe = build_model().train()
    before = probe.teacher.module['backbone'].bn1.running_mean.clone()
    probe.mix_preview(probe.data_preprocessor(data_batch(), False)['inputs'])
    assert not torch.equal(before,
                           probe.teacher.module['backbone'].bn1.running_mean)

    # One row per shown sample: N sources, N masks, the mixed image, each
    # tile 1.1 in wide and 1.1 * 1.25 in high (with its title) at 80 dpi,
    # plus 0.35 in and 0.13 in per caption line above them.
    name, image, step = runner.visualizer.images[0]
    assert (name, step) == ('mixed_samples', 2)
    assert image.dtype == np.uint8
    lines = (image.shape[0] / 80 - SHOWN * 1.1 * 1.25 - 0.35) / 0.13
    assert image.shape[1:] == (round((2 * N + 1) * 1.1 * 80), 3)
    assert 4 <= round(lines) <= 8 and abs(lines - round(lines)) < 0.1
    assert path == str(tmp_path / 'mixed_samples' / 'epoch_2.png')
    written = mmcv.imread(path, channel_order='rgb')
    np.testing.assert_array_equal(written, image)


def test_grid_masks_are_the_train_mode_masks(tmp_path):
    model = build_model().train()
    hook = HOOKS.build(dict(type='MixedSampleVisualizationHook',
                            num_images=SHOWN, seed=7))
    runner = fake_runner(model, tmp_path)
    batch = data_batch()
    hook.before_train_iter(runner, 0, batch)
    grids = []
    original = hook_module.MixedSampleVisualizationHook._grid
    hook._grid = lambda pre, out: grids.append(out) or original(pre, out)
    hook.draw(runner, step=1)

    expected_model = copy.deepcopy(model)
    inputs = expected_model.data_preprocessor(batch, False)['inputs']
    torch.manual_seed(7)
    with torch.no_grad():
        expected = expected_model.mix_preview(inputs)
    torch.testing.assert_close(grids[0]['masks'], expected['masks'][:SHOWN])
    torch.testing.assert_close(grids[0]['mixed'], expected['mixed'][:SHOWN])
    # Eval-mode features would give other masks: the mode matters.
    expected_model.eval()
    torch.manual_seed(7)
    with torch.no_grad():
        evaluated = expected_model.mix_preview(inputs)
    assert not torch.allclose(evaluated['masks'][:SHOWN], grids[0]['masks'])


def test_every_rank_previews_only_the_main_process_draws(tmp_path,
                                                        monkeypatch):
    # Every rank makes the train-mode preview (SyncBN layers synchronise it
    # across ranks); only the main process writes an image.
    model = build_model()
    hook = HOOKS.build(dict(type='MixedSampleVisualizationHook'))
    runner = fake_runner(model, tmp_path)
    hook.before_train_iter(runner, 0, data_batch())
    calls = spy_on_preview(model)
    monkeypatch.setattr(hook_module, 'is_main_process', lambda: False)
    assert hook.draw(runner, step=1) is None
    assert len(calls) == 1
    assert runner.visualizer.images == []
    assert not (tmp_path / 'mixed_samples').exists()


def test_model_without_preview_and_bad_arguments_are_errors(tmp_path):
    hook = HOOKS.build(dict(type='MixedSampleVisualizationHook'))
    plain = MODELS.build(dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=NUM_CLASSES,
                  in_channels=64)))
    runner = fake_runner(plain, tmp_path)
    hook.before_train_iter(runner, 0, data_batch())
    with pytest.raises(TypeError, match='mix_preview'):
        hook.draw(runner, step=1)
    with pytest.raises(ValueError, match='interval'):
        HOOKS.build(dict(type='MixedSampleVisualizationHook', interval=0))
    with pytest.raises(ValueError, match='num_images'):
        HOOKS.build(dict(type='MixedSampleVisualizationHook', num_images=0))
    with pytest.raises(TypeError, match='every_iter'):
        HOOKS.build(dict(type='MixedSampleVisualizationHook', every_iter=1))


def test_grid_titles_name_each_column_with_lambda_and_share():
    masks = torch.zeros(2, 2, 2, 2)
    masks[:, 0, 0] = 1.0  # image 1 takes the top row: share 0.5
    masks[:, 1] = 1.0 - masks[:, 0]
    masks[1] = 0.5  # sample 2: linear masks
    titles = hook_module.grid_titles(torch.tensor([0.3, 0.7]), masks)
    assert titles[0] == ['image 1\nλ=0.30', 'image 2\nλ=0.70',
                         'mask 1\nshare=0.50', 'mask 2\nshare=0.50', 'mixed']
    per_sample = hook_module.grid_titles(
        torch.tensor([[0.3, 0.7], [0.25, 0.75]]), masks)
    assert per_sample[1][:2] == ['image 1\nλ=0.25', 'image 2\nλ=0.75']


@pytest.mark.parametrize('spread,flat', [(0.001, True), (0.5, False)])
def test_caption_says_what_the_grid_shows_and_measures_the_masks(
        spread, flat):
    # 2 samples, N = 2 images: mask 1 = 0.3 + spread on the left half,
    # 0.3 - spread on the right half (share 0.3), mask 2 = 1 - mask 1
    masks = torch.full((2, 2, 4, 4), 0.3)
    masks[:, 0, :, :2] += spread / 2
    masks[:, 0, :, 2:] -= spread / 2
    masks[:, 1] = 1 - masks[:, 0]
    lam = torch.tensor([0.6, 0.4])
    stats = hook_module.mask_statistics(lam, masks)
    assert stats['spatial_range'] == pytest.approx(spread, abs=1e-6)
    # |0.3 - 0.6| and |0.7 - 0.4|
    assert stats['share_err'] == pytest.approx(0.3, abs=1e-6)
    caption = hook_module.grid_caption(
        stats, 0.1, 0, shared_lam=True,
        why=hook_module.UNIFORM_MASKS_WRITE_UP['AdAutoMix'])
    text = ' '.join(caption)
    assert 'Rows: mixed samples. Columns: the source images' in text
    assert 'every row repeats it' in text and '(seed 0)' in text
    assert 'mean |share − λ| = 0.30' in text
    assert ('Masks nearly uniform at this budget' in text) is flat
    assert ('docs/adautomix_generator_investigation.md' in text) is flat
    assert (f'mean max − min {spread:.3f} ≥ 0.1' in text) is not flat
    per_sample = ' '.join(hook_module.grid_caption(stats, 0.1, None, False))
    assert 'drawn per sample' in per_sample and 'seed=None' in per_sample
    assert 'docs/' not in per_sample  # no write-up named: no pointer
    with pytest.raises(ValueError, match='uniform_range'):
        HOOKS.build(dict(type='MixedSampleVisualizationHook',
                         uniform_range=2))
