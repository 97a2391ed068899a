"""AdAutoMix on mmpretrain backbones other than the demo's ResNet_CIFAR.

Each case builds the model from a config dict with the Mix Block's
``in_channels`` left out (AdAutoMix infers it from the backbone), then runs
two iterations through MMEngine's real training path,
``model.train_step(data, optim_wrapper)`` with an ``OptimWrapper(SGD)`` and
raw ``inputs``/``data_samples`` that go through the model's
``ClsDataPreprocessor``. Between the steps it does what
``AdversarialOptimizerHook`` does (``set_game_state`` before, the teacher's
EMA ``update_teacher`` after), so iteration 1 is adversarial and iteration 2
cooperative, for N = 3 and N = 2 mixed images.

The backbones are shrunk to CPU-test size, but each stays the named
architecture. The last tests check the configuration errors: options that
make a backbone output unusable for the Mix Block, an out-of-range
``mix_stage``, unknown keys and batch augments.
"""
import math

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS

import adautomix_mm  # noqa: F401  (registers AdAutoMix, AttentionMixBlock)

from helpers.backbone_cases import BACKBONES
from helpers.backbone_cases import adautomix_cfg as _model_cfg
from helpers.backbone_cases import changed as _changed
from helpers.backbone_cases import params as _params
from helpers.backbone_cases import raw_batch as _batch

TEACHER_M = 0.9


pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.mark.parametrize('num_mix', [3, 2])
@pytest.mark.parametrize('name', list(BACKBONES))
def test_trains_on_backbone(name, num_mix):
    backbone, mix_channels, head_channels, size = BACKBONES[name]
    torch.manual_seed(0)
    model = MODELS.build(
        _model_cfg(backbone, head_channels, mix_samples=num_mix))
    model.init_weights()
    model.train()

    # The inferred Mix Block width is the mix-stage output's channel count.
    assert model.mix_block.in_channels == mix_channels
    with torch.no_grad():
        x = model.data_preprocessor(_batch(size, 99), False)['inputs']
        feats = model.backbone(x)
    assert feats[model.mix_stage].dim() == 4
    assert feats[model.mix_stage].shape[1] == mix_channels

    optim_wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9))
    online = model._online_modules()
    teacher = model.teacher.module
    assert _changed(_params(online), _params(teacher)) == [], \
        'after init_weights the teacher must be an exact copy'

    # Whether the generator's mixed sample really mixes different images: a
    # random partner permutation can be the identity (1 in 24 for N = 2 and
    # batch 4), and then the masks, hence the Mix Block, get no gradient.
    generator_mixes = []

    def record_generator_call(module, args):
        if torch.is_grad_enabled():  # the generator's call, not the no-grad
            feats = args[0]  # classifier-mask call; [B, N, C, h, w]
            generator_mixes.append(bool((feats != feats[:, :1]).any()))

    model.mix_block.register_forward_pre_hook(record_generator_call)

    mixed_steps = 0
    for step in range(2):
        adversarial = step % 2 == 0  # the hook's alternate_sign schedule
        model.set_game_state(adversarial, True)
        online_before, teacher_before = _params(online), _params(teacher)
        block_before = _params(model.mix_block)
        generator_mixes.clear()

        log_vars = model.train_step(_batch(size, step), optim_wrapper)

        assert log_vars['adv_phase'].item() == float(adversarial)
        assert 'mix_samples' not in log_vars  # constant: logged at build
        expected = {'loss', 'loss_amix', 'loss_one', 'loss_gen'}
        if num_mix >= 3:
            expected.add('loss_vmix')
        assert expected <= set(log_vars), sorted(log_vars)
        for key in expected:
            assert math.isfinite(log_vars[key].item()), (key, log_vars)

        # The optimizer step moved the online network and the generator but
        # not the frozen teacher.
        changed = _changed(online_before, _params(online))
        assert len(changed) >= 0.9 * len(online_before), \
            f'only {len(changed)}/{len(online_before)} online params changed'
        assert len(generator_mixes) == 1, generator_mixes
        if generator_mixes[0]:
            # conv_v's bias adds the same constant to every image's mask
            # logit (attention rows sum to 1), and the softmax over images
            # cancels it: its gradient is rounding noise, often exactly 0.
            trainable = set(block_before) - {'conv_v.bias'}
            changed = _changed(block_before, _params(model.mix_block))
            assert trainable <= set(changed), sorted(trainable - set(changed))
        mixed_steps += generator_mixes[0]
        assert _changed(teacher_before, _params(teacher)) == []

        model.update_teacher(TEACHER_M)
        teacher_after = _params(teacher)
        changed = _changed(teacher_before, teacher_after)
        assert len(changed) >= 0.9 * len(teacher_before), \
            f'only {len(changed)}/{len(teacher_before)} teacher params moved'
        # It is an EMA: theta_k <- m theta_k + (1 - m) theta_q.
        online_now = _params(online)
        for n, before in teacher_before.items():
            torch.testing.assert_close(
                teacher_after[n],
                TEACHER_M * before + (1 - TEACHER_M) * online_now[n])
    assert mixed_steps >= 1, 'the Mix Block was never exercised'


# ------------------------------------------------------------------ errors
def _build(name: str, backbone_update=None, **kwargs):
    backbone, _, head_channels, _ = BACKBONES[name]
    backbone = dict(backbone, **(backbone_update or {}))
    return MODELS.build(_model_cfg(backbone, head_channels, **kwargs))


def test_convnext_pooled_output_names_the_fix():
    with pytest.raises(ValueError, match='gap_before_final_norm=False'):
        _build('convnext_atto', dict(gap_before_final_norm=True))


def test_vit_cls_token_output_names_the_fix():
    with pytest.raises(ValueError, match="out_type='featmap'"):
        _build('vit_deit_tiny', dict(out_type='cls_token'))


@pytest.mark.parametrize('mix_stage', [2, -3])
def test_mix_stage_out_of_range_names_out_indices(mix_stage):
    # ResNet-18 with out_indices=(2, 3) returns 2 outputs.
    with pytest.raises(ValueError, match='out_indices') as info:
        _build('resnet18', mix_stage=mix_stage)
    assert f'mix_stage={mix_stage}' in str(info.value)


def test_unknown_config_key_raises_type_error():
    with pytest.raises(TypeError, match='co_mix'):
        _build('resnet18', co_mix=3)


def test_batch_augments_in_train_cfg_are_rejected():
    augments = dict(augments=[dict(type='Mixup', alpha=1.0)])
    with pytest.raises(ValueError, match='train_cfg'):
        _build('resnet18', train_cfg=augments)
