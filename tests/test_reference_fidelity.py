"""Reference fidelity of the AdAutoMix recipes (issue 13): lam_margin_mode
'first', per-set Mix Block normalisation, the online network's pass order,
the four evaluated heads; class defaults pinned unchanged on fixed weights.
"""
import copy
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmpretrain.registry import METRICS, MODELS
from mmpretrain.structures import DataSample

import adautomix_mm  # noqa: F401
from adautomix_mm.models.classifiers import adautomix as adautomix_module
from adautomix_mm.models.utils import mix_linear, sample_partners

K = 4
CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                   'configs')


def head():
    return dict(type='LinearClsHead', num_classes=K, in_channels=64,
                loss=dict(type='CrossEntropyLoss', use_soft=True))


def build(method='AdAutoMix', **overrides):
    torch.manual_seed(0)
    cfg = dict(
        type=method,
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                      base_channels=8, out_indices=(2, 3)),
        neck=dict(type='GlobalAveragePooling'),
        head=head(),
        mix_head=head(),
        mix_block=dict(type='AttentionMixBlock' if method == 'AdAutoMix'
                       else 'PixelMixBlock'))
    if method == 'AdAutoMix':
        # AdAutoMix's class defaults before they became the reference's
        # ('first', 'clean_vmix_amix'): the settings pinned below.
        cfg.update(lam_margin_mode='any', online_pass_order='amix_clean_vmix')
    cfg.update(overrides)
    model = MODELS.build(cfg)
    model.init_weights()
    for p in model.mix_block.parameters():
        torch.nn.init.normal_(p, 0.0, 0.3)
    model.train()
    return model


def batch(b=6):
    torch.manual_seed(1)
    x = torch.randn(b, 3, 16, 16)
    return x, [DataSample().set_gt_label(i % K) for i in range(b)]


def running_means(module):
    return {n: b.clone() for n, b in module.named_buffers()
            if n.endswith(('running_mean', 'running_var'))}


# ------------------------------------------------ defaults pinned unchanged
# Computed with this package before the recipe changes (main at e5dd22d)
# and after them, same script: the class defaults did not move.
PINNED = {
    ('AdAutoMix', True): dict(loss_amix=1.386673, loss_one=0.697759,
                              loss_vmix=0.693336, loss_gen=0.041889,
                              online_bn=3.39825, teacher_bn=5.06299),
    ('AdAutoMix', False): dict(loss_amix=1.386673, loss_one=0.697759,
                               loss_vmix=0.693336, loss_gen=1.395396,
                               online_bn=3.39825, teacher_bn=5.06299),
    ('AutoMix', True): dict(loss_mix=1.395735, loss_one=1.370729,
                            loss_gen=1.384541, loss_mask=0.0,
                            online_bn=3.59933, teacher_bn=3.61868),
}


@pytest.mark.parametrize('method,adversarial', list(PINNED))
def test_class_defaults_unchanged_on_fixed_weights(method, adversarial):
    model = build(method)
    if method == 'AdAutoMix':
        model.set_game_state(adversarial, True)
    else:
        model.set_schedule_state(True, 0.0)
    x, samples = batch()
    torch.manual_seed(3)
    losses = model.loss(x, samples)
    want = PINNED[(method, adversarial)]
    for key, value in want.items():
        if key.startswith('loss'):
            assert math.isclose(float(losses[key]), value, abs_tol=2e-6), key

    def bn_sum(module):
        return float(sum(b.sum() for n, b in module.named_buffers()
                         if n.endswith('running_mean')))

    assert math.isclose(bn_sum(model.backbone), want['online_bn'],
                        abs_tol=2e-5)
    assert math.isclose(bn_sum(model.teacher.module), want['teacher_bn'],
                        abs_tol=2e-5)


def test_attention_block_default_normalisation_unchanged():
    torch.manual_seed(0)
    block = MODELS.build(dict(type='AttentionMixBlock', in_channels=8,
                              lam_concat=True, att_norm_cfg=dict(type='BN')))
    for p in block.parameters():
        torch.nn.init.normal_(p, 0.0, 0.3)
    assert block.att_norm_mode == 'joint'
    feats = torch.randn(4, 3, 8, 4, 4)
    masks = block(feats, torch.tensor([0.5, 0.3, 0.2]), (8, 8))
    weighted = float((masks[:, 0] * torch.arange(64.).view(8, 8)).sum())
    assert math.isclose(weighted, 2483.20117, abs_tol=1e-3)
    assert math.isclose(float(block.conv_q.bn.running_var.sum()), 3.90208,
                        abs_tol=1e-4)


# ----------------------------------------------- (b) per-set normalisation
def per_set_block(mode, lam_concat=True):
    torch.manual_seed(0)
    block = MODELS.build(dict(
        type='AttentionMixBlock', in_channels=8, lam_concat=lam_concat,
        att_norm_cfg=dict(type='BN'), att_norm_mode=mode))
    for p in block.parameters():
        torch.nn.init.normal_(p, 0.0, 0.3)
    return block.train()


def explicit_per_set(block, feats, lam, out_size):
    """The reference's computation: q/k/v modules called on each image set
    separately (sets 1..N), then the N-way cross-attention."""
    b, n, c, h, w = feats.shape
    sets = []
    for i in range(n):
        z = feats[:, i]
        if block.lam_concat:
            z = torch.cat([z, torch.full((b, 1, h, w), float(lam[i]))], 1)
        sets.append(z)
    d = block.inter_channels
    q = [block.conv_q(z).view(b, d, h * w).transpose(1, 2) for z in sets]
    k = [block.conv_k(z).view(b, d, h * w) for z in sets]
    v = [block.conv_v(z).view(b, h * w, 1) for z in sets]
    logits = []
    for i in range(n):
        att = sum(q[i] @ k[j] for j in range(n) if j != i) / math.sqrt(d)
        m = (att.softmax(-1) @ v[i]).view(b, 1, h, w)
        logits.append(F.interpolate(m, size=out_size, mode='bilinear',
                                    align_corners=False))
    return torch.cat(logits, 1).softmax(1)


@pytest.mark.parametrize('n', [2, 3])
def test_per_set_normalisation_matches_explicit_per_set_computation(n):
    block = per_set_block('per_set')
    ref = copy.deepcopy(block)
    torch.manual_seed(2)
    feats = torch.randn(4, n, 8, 4, 4)
    lam = torch.tensor([0.7, 0.3] if n == 2 else [0.5, 0.3, 0.2])
    masks = block(feats, lam, (8, 8))
    want = explicit_per_set(ref, feats, lam, (8, 8))
    torch.testing.assert_close(masks, want, rtol=1e-5, atol=1e-6)
    # BN running statistics: N updates, one per set, as the reference
    for name, value in running_means(ref).items():
        torch.testing.assert_close(running_means(block)[name], value,
                                   msg=name)
    assert int(block.conv_q.bn.num_batches_tracked) == n


def test_joint_normalisation_differs_and_keeps_the_ratio_shift():
    torch.manual_seed(2)
    feats = torch.randn(4, 3, 8, 4, 4)
    lam = torch.tensor([0.5, 0.3, 0.2])
    per_set = per_set_block('per_set')
    joint = per_set_block('joint')
    m_set, m_joint = per_set(feats, lam, (8, 8)), joint(feats, lam, (8, 8))
    assert (m_set - m_joint).abs().max() > 1e-4  # the option matters
    # Per set, BN removes the constant ratio channel's shift from the
    # queries and keys (they do not depend on lambda); jointly it stays.
    def queries(block, ratios):
        lam_map = ratios.view(1, 3, 1, 1, 1).expand(4, 3, 1, 4, 4)
        return block._project(block.conv_q, torch.cat([feats, lam_map], 2))

    other = torch.tensor([0.2, 0.2, 0.6])
    torch.testing.assert_close(queries(per_set, lam), queries(per_set, other))
    assert (queries(joint, lam) - queries(joint, other)).abs().max() > 1e-3
    # In eval mode both use the running statistics: the same computation.
    joint.load_state_dict(per_set.state_dict())
    per_set.eval()
    joint.eval()
    torch.testing.assert_close(per_set(feats, lam, (8, 8)),
                               joint(feats, lam, (8, 8)))


def test_att_norm_mode_rejects_unknown_value():
    with pytest.raises(ValueError, match='att_norm_mode'):
        MODELS.build(dict(type='AttentionMixBlock', in_channels=8,
                          att_norm_mode='per-set'))


# --------------------------------------------------- (c) online pass order
def online_inputs(model, monkeypatch, lam):
    monkeypatch.setattr(adautomix_module, 'sample_ratios',
                        lambda *a, **k: lam.clone())
    seen = []
    hook = model.backbone.register_forward_pre_hook(
        lambda m, args: seen.append(args[0].detach()))
    x, samples = batch()
    model.set_game_state(False, True)
    torch.manual_seed(5)
    losses = model.loss(x, samples)
    hook.remove()
    return x, seen, losses


def test_reference_pass_order_is_clean_vmix_amix(monkeypatch):
    lam = torch.tensor([0.5, 0.3, 0.2])
    ref = build(online_pass_order='clean_vmix_amix')
    x, seen, _ = online_inputs(ref, monkeypatch, lam)
    torch.manual_seed(5)
    perms = sample_partners(3, x.size(0), keep_first=False)  # classifier's
    assert len(seen) == 3
    torch.testing.assert_close(seen[0], x)
    torch.testing.assert_close(seen[1], mix_linear(x, perms, lam))
    assert not torch.allclose(seen[2], seen[1])  # the generated mix
    old = build()  # AdAutoMix's default: the earlier order
    _, seen_old, _ = online_inputs(old, monkeypatch, lam)
    torch.testing.assert_close(seen_old[0], seen[2])
    torch.testing.assert_close(seen_old[1], x)
    torch.testing.assert_close(seen_old[2], seen[1])


def test_pass_order_changes_only_the_online_bn_statistics(monkeypatch):
    lam = torch.tensor([0.5, 0.3, 0.2])
    runs = {}
    for order in ('clean_vmix_amix', 'amix_clean_vmix'):
        model = build(online_pass_order=order)
        model.zero_grad(set_to_none=True)
        _, _, losses = online_inputs(model, monkeypatch, lam)
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        runs[order] = (losses, {n: p.grad.clone() for n, p in
                                model.named_parameters()
                                if p.grad is not None},
                       running_means(model.backbone))
    (l1, g1, bn1), (l2, g2, bn2) = runs.values()
    assert list(l1) == list(l2)  # same log columns
    for k in l1:
        torch.testing.assert_close(l1[k], l2[k], msg=k)
    assert g1.keys() == g2.keys() and len(g1) > 0
    for k in g1:
        torch.testing.assert_close(g1[k], g2[k], msg=k)
    assert any(not torch.allclose(bn1[k], bn2[k]) for k in bn1)


def test_pass_order_rejects_unknown_value():
    with pytest.raises(ValueError, match='online_pass_order'):
        build(online_pass_order='amix_first')


# ----------------------------------------------------------- (d) four heads
def test_predict_gives_the_four_heads_and_metrics_read_them():
    model = build()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))  # online != teacher
    model.eval()
    x, samples = batch()
    out = model.predict(x, samples)
    t = model.teacher.module
    want = dict(
        ema=t['head'](t['neck'](t['backbone'](x))),
        ema_mix=t['mix_head'](t['neck'](t['backbone'](x))),
        online=model.head(model.neck(model.backbone(x))),
        online_mix=model.mix_head(model.neck(model.backbone(x))))
    for name, logits in want.items():
        scores = torch.stack([s.get(f'pred_score_{name}') for s in out])
        torch.testing.assert_close(scores, logits.softmax(1))
    for network in ('ema', 'online'):
        for head_name in ('one', 'mix'):
            metric = METRICS.build(dict(type='NetworkAccuracy',
                                        network=network, head=head_name))
            metric.process(None, [s.to_dict() for s in out])
            res = metric.compute_metrics(metric.results)
            suffix = '' if head_name == 'one' else '_mix'
            assert metric.prefix == f'accuracy_{network}{suffix}'
            key = network + suffix
            labels = torch.tensor([s.gt_label.item() for s in out])
            acc = (want[key].argmax(1) == labels).float().mean() * 100
            assert math.isclose(res['top1'], float(acc), abs_tol=1e-4)


def test_mix_head_metric_without_a_separate_mix_head_is_a_clear_error():
    model = build(mix_head=None)
    model.eval()
    x, samples = batch()
    out = model.predict(x, samples)
    assert 'pred_score_ema_mix' not in out[0]
    metric = METRICS.build(dict(type='NetworkAccuracy', network='ema',
                                head='mix'))
    with pytest.raises(KeyError, match='mix_head'):
        metric.process(None, [s.to_dict() for s in out])
    with pytest.raises(ValueError, match='head must be one of'):
        METRICS.build(dict(type='NetworkAccuracy', head='mixup'))


# ------------------------------------------------------------- the recipes
N3_RECIPES = [
    'adautomix/adautomix_resnet18_1xb100-800e_cifar100.py',
    'adautomix/adautomix_resnext50-32x4d_1xb100-800e_cifar100.py',
    'adautomix/adautomix_resnet18_1xb100-400e_tinyimagenet.py',
    'adautomix/adautomix_convnext-tiny_2xb50-200e_cifar100.py',
    'adautomix/adautomix_swin-tiny_2xb25-200e_cifar100-224px.py',
    'adautomix/adautomix_resnet18_1xb16-200e_cub.py',
    'adautomix/adautomix_resnet50_1xb16-200e_cub.py',
    'adautomix/adautomix_resnet18_1xb16-200e_aircraft.py',
    'adautomix/adautomix_resnext50-32x4d_1xb16-200e_aircraft.py',
    'adautomix/adautomix_resnet18_1xb16-200e_stanfordcars.py',
    'adautomix/adautomix_resnext50-32x4d_1xb16-200e_stanfordcars.py',
]
N2_RECIPES = [f'adautomix/adautomix_resnet{d}_4xb64-100e_in1k.py'
              for d in (18, 34, 50)]


@pytest.mark.parametrize('path', N3_RECIPES + N2_RECIPES)
def test_recipes_use_the_reference_behaviour(path):
    m = Config.fromfile(osp.join(CONFIGS, path)).model
    assert m.lam_margin_mode == 'first'
    assert m.online_pass_order == 'clean_vmix_amix'
    if m.mix_block.get('att_norm_cfg') is not None:
        assert m.mix_block.att_norm_mode == 'per_set'
    if path in N3_RECIPES:
        assert m.mix_samples >= 3


def test_only_the_r50_imagenet_recipe_normalises_the_mix_block():
    normed = [p for p in N3_RECIPES + N2_RECIPES if Config.fromfile(
        osp.join(CONFIGS, p)).model.mix_block.get('att_norm_cfg')]
    assert normed == ['adautomix/adautomix_resnet50_4xb64-100e_in1k.py']


def test_demo_keeps_the_measured_defaults():
    m = Config.fromfile(osp.join(
        CONFIGS, 'adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py')).model
    assert (m.lam_margin_mode, m.online_pass_order) == \
        ('any', 'amix_clean_vmix')
