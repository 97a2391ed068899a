"""AutoMix on the mmpretrain backbones of helpers.backbone_cases (ResNet,
ResNeXt, Swin, ConvNeXt, a ViT), each with the Pixel Mix Block's
``in_channels`` inferred: two iterations through MMEngine's real training
path (``train_step`` with an ``OptimWrapper(SGD)`` and raw uint8 batches),
doing between the steps what ``MomentumScheduleHook`` does (schedule state
before, the teacher's EMA after), and the drawn mixed-sample grid; plus the
mixed-sample visualisation hook on AutoMix."""
import logging
import math
from types import SimpleNamespace

import mmcv
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmpretrain.registry import HOOKS, MODELS

import adautomix_mm  # noqa: F401

from helpers.backbone_cases import BACKBONES
from helpers.backbone_cases import automix_cfg as _model_cfg
from helpers.backbone_cases import changed as _changed
from helpers.backbone_cases import params as _params
from helpers.backbone_cases import raw_batch as _batch

TEACHER_M = 0.9


pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.mark.parametrize('name', list(BACKBONES))
def test_trains_on_backbone(name):
    backbone, mix_channels, head_channels, size = BACKBONES[name]
    torch.manual_seed(0)
    model = MODELS.build(_model_cfg(backbone, head_channels))
    model.init_weights()
    model.train()
    assert model.mix_block.in_channels == mix_channels
    # margin 0: the mask bound is active unless the share is exactly lambda
    model.mix_block.mask_loss_margin = 0.0

    optim_wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9))
    online = model._online_modules()
    teacher = model.teacher.module
    assert _changed(_params(online), _params(teacher)) == []

    for step in range(2):
        model.set_schedule_state(True, step / 2)
        online_before, teacher_before = _params(online), _params(teacher)
        block_before = _params(model.mix_block)
        log_vars = model.train_step(_batch(size, step), optim_wrapper)
        expected = {'loss', 'loss_mix', 'loss_one', 'loss_gen', 'loss_mask'}
        assert expected <= set(log_vars), sorted(log_vars)
        for key in expected:
            assert math.isfinite(log_vars[key].item()), (key, log_vars)
        changed = _changed(online_before, _params(online))
        assert len(changed) >= 0.9 * len(online_before), \
            f'only {len(changed)}/{len(online_before)} online params changed'
        # the mask loss alone reaches every Mix Block parameter
        assert set(_changed(block_before, _params(model.mix_block))) == \
            set(block_before)
        assert _changed(teacher_before, _params(teacher)) == []

        model.update_teacher(TEACHER_M)
        teacher_after, online_now = _params(teacher), _params(online)
        for n, before in teacher_before.items():
            torch.testing.assert_close(
                teacher_after[n],
                TEACHER_M * before + (1 - TEACHER_M) * online_now[n])


def test_visualization_hook_draws_automix_grids(tmp_path):
    backbone, _, head_channels, size = BACKBONES['resnet18']
    torch.manual_seed(0)
    model = MODELS.build(_model_cfg(backbone, head_channels))
    model.init_weights()
    hook = HOOKS.build(dict(type='MixedSampleVisualizationHook',
                            num_images=3, seed=0))
    images = []
    runner = SimpleNamespace(
        model=model, work_dir=str(tmp_path),
        visualizer=SimpleNamespace(
            add_image=lambda name, image, step: images.append(image)),
        logger=logging.getLogger('test_automix_vis'))
    hook.before_train_iter(runner, 0, _batch(size, 0))
    path = hook.draw(runner, step=1)
    # 3 rows of 2 sources, 2 masks and the mixed image: labelled tiles of
    # 1.1 in (1.1 * 1.25 in high with the title) at 80 dpi, plus 0.35 in and
    # 0.13 in per caption line above them (the layout of the AdAutoMix grids).
    lines = (images[0].shape[0] / 80 - 3 * 1.1 * 1.25 - 0.35) / 0.13
    assert 4 <= round(lines) <= 8 and abs(lines - round(lines)) < 0.1
    assert images[0].shape[1:] == (round(5 * 1.1 * 80), 3)
    assert mmcv.imread(path).shape == images[0].shape
