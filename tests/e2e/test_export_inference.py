"""Export -> mmpretrain's own inference APIs, with nothing else from this
package: the exported checkpoint + config predict exactly what the source
model's EMA teacher (or online network) predicts on the same image files."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, default_collate
from mmengine.logging import HistoryBuffer
from mmpretrain.registry import MODELS, TRANSFORMS

import adautomix_mm  # noqa: F401
from adautomix_mm.runtime.cli.export_network import (TO_GRAY, inference_config,
                                                     main, select_network)

REPO_ROOT = Path(__file__).resolve().parents[2]
FMNIST_CFG = REPO_ROOT / 'configs/adautomix/adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py'
MIXUP_FMNIST_CFG = REPO_ROOT / \
    'configs/baselines/mixup/mixup_resnet18-w16_1xb64-5e_fmnist-embedded.py'
SAMIX_CIFAR_CFG = REPO_ROOT / 'configs/samix/samix_resnet18_1xb100-800e_cifar100.py'
RX50_CIFAR_CFG = REPO_ROOT / 'configs/automix/automix_resnext50-32x4d_1xb100-800e_cifar100.py'
CLASSES = tuple(f'class_{i}' for i in range(100))


def tiny_cifar_samix(tmp_path) -> Config:
    """SAMix's CIFAR-100 recipe at ResNet-18 width 8 (3-channel input)."""
    path = tmp_path / 'samix_tiny.py'
    path.write_text(textwrap.dedent(f"""
        _base_ = [{str(SAMIX_CIFAR_CFG)!r}]
        model = dict(
            backbone=dict(stem_channels=8, base_channels=8),
            head=dict(in_channels=64), mix_head=dict(in_channels=64))
    """))
    return Config.fromfile(str(path))


def perturb(model: torch.nn.Module, seed: int) -> None:
    """Random weights and BN statistics, different for every module, so the
    teacher and the online network predict differently and not uniformly."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, value in model.state_dict().items():
            if not value.dtype.is_floating_point:
                continue
            if name.endswith('running_var'):
                value.copy_(0.5 + torch.rand(value.shape, generator=gen))
            else:
                value.add_(0.3 * torch.randn(value.shape, generator=gen))


def training_checkpoint(cfg: Config, path, seed=0) -> torch.nn.Module:
    """A checkpoint as MMEngine writes it: state_dict, meta with the config
    text, NumPy values and the dataset meta, and a message hub holding a
    HistoryBuffer (not readable by a plain weights-only load)."""
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    perturb(model, seed)
    buffer = HistoryBuffer()
    buffer.update(1.5)
    torch.save(dict(
        state_dict=model.state_dict(),
        meta=dict(cfg=cfg.pretty_text, epoch=3, seed=np.int64(7),
                  dataset_meta=dict(
                      classes=CLASSES[:cfg.model.head.num_classes])),
        message_hub=dict(log_scalars={'train/loss': buffer})), path)
    return model.eval()


def image_files(tmp_path, n, size, channels):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        shape = (size, size) if channels == 1 else (size, size, 3)
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        paths.append(str(tmp_path / f'img{i}.png'))
        cv2.imwrite(paths[-1], img)
    return paths


def source_scores(model, cfg: Config, paths, network: str, channels: int):
    """The source model's scores on the files, read as its dataset gives
    them (2-D grey array or HxWx3) and through its own test pipeline."""
    flag = cv2.IMREAD_GRAYSCALE if channels == 1 else cv2.IMREAD_COLOR
    pipeline = Compose([TRANSFORMS.build(t)
                        for t in cfg.test_dataloader.dataset.pipeline])
    items = []
    for p in paths:
        img = cv2.imread(p, flag)
        items.append(pipeline(dict(img=img, img_shape=img.shape[:2],
                                   ori_shape=img.shape[:2])))
    with torch.no_grad():
        out = model.test_step(default_collate(items))
    return np.stack([s.get(f'pred_score_{network}').numpy() for s in out])


def test_samix_3channel_export_predicts_as_the_ema_teacher(tmp_path):
    from mmpretrain import ImageClassificationInferencer, init_model
    cfg = tiny_cifar_samix(tmp_path)
    source = training_checkpoint(cfg, tmp_path / 'src.pth')
    main([str(tmp_path / 'src.pth'), str(tmp_path / 'teacher.pth')])

    exported = Config.fromfile(str(tmp_path / 'teacher.py'))
    assert exported.model.type == 'ImageClassifier'
    assert 'custom_imports' not in exported
    assert 'mix_head' not in exported.model
    assert exported.test_dataloader.dataset.type == 'CIFAR100'
    assert tuple(exported.classes) == CLASSES
    # mmpretrain's APIs load with torch.load(weights_only=True): no
    # allow-list may be needed.
    ckpt = torch.load(tmp_path / 'teacher.pth', weights_only=True)
    assert ckpt['meta']['network'] == 'ema' and ckpt['meta']['seed'] == 7

    paths = image_files(tmp_path, 4, 32, channels=3)
    want = source_scores(source, cfg, paths, 'ema', channels=3)
    online = source_scores(source, cfg, paths, 'online', channels=3)
    assert not np.allclose(want, online, atol=1e-3)  # the test can fail

    inferencer = ImageClassificationInferencer(
        str(tmp_path / 'teacher.py'), pretrained=str(tmp_path / 'teacher.pth'))
    results = inferencer(paths, batch_size=2)
    got = np.stack([r['pred_scores'] for r in results])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert [r['pred_class'] for r in results] == \
        [CLASSES[i] for i in want.argmax(1)]

    model = init_model(str(tmp_path / 'teacher.py'),
                       str(tmp_path / 'teacher.pth'))
    assert type(model).__name__ == 'ImageClassifier'
    assert tuple(model._dataset_meta['classes']) == CLASSES  # from meta


@pytest.mark.slow
@pytest.mark.parametrize('network', ['ema', 'online'])
def test_fmnist_1channel_export_runs_in_mmpretrain_alone(tmp_path, network):
    """The 1-channel inferencer runs in a fresh interpreter that never
    imports adautomix_mm, reading grey PNG files (which mmpretrain reads in
    colour) and 2-D arrays."""
    cfg = Config.fromfile(str(FMNIST_CFG))
    source = training_checkpoint(cfg, tmp_path / 'src.pth', seed=1)
    out = tmp_path / f'{network}.pth'
    main([str(tmp_path / 'src.pth'), str(out), '--network', network])
    exported = Config.fromfile(str(tmp_path / f'{network}.py'))
    assert 'custom_imports' not in exported
    assert exported.test_pipeline[0] == TO_GRAY
    assert 'type' not in exported.test_dataloader.dataset  # package dataset

    paths = image_files(tmp_path, 3, 28, channels=1)
    want = source_scores(source, cfg, paths, network, channels=1)
    other = source_scores(source, cfg, paths,
                          {'ema': 'online', 'online': 'ema'}[network], 1)
    assert not np.allclose(want, other, atol=1e-3)

    script = textwrap.dedent(f"""
        import json, sys
        import cv2
        from mmpretrain import ImageClassificationInferencer
        inf = ImageClassificationInferencer({str(tmp_path / f'{network}.py')!r},
                                            pretrained={str(out)!r})
        paths = {paths!r}
        data = next(inf.preprocess(paths, batch_size=len(paths)))
        files = inf(paths, batch_size=2)
        arrays = inf([cv2.imread(p, cv2.IMREAD_GRAYSCALE) for p in paths])
        open('result.json', 'w').write(json.dumps(dict(
            shape=list(data['inputs'][0].shape),
            files=[r['pred_scores'].tolist() for r in files],
            arrays=[r['pred_scores'].tolist() for r in arrays],
            classes=[r['pred_class'] for r in files],
            imported='adautomix_mm' in sys.modules)))
    """)
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH='')
    proc = subprocess.run([sys.executable, '-c', script], cwd=tmp_path,
                          env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads((tmp_path / 'result.json').read_text())
    assert got['imported'] is False
    assert got['shape'] == [1, 28, 28]  # one channel reaches the model
    np.testing.assert_allclose(np.array(got['files']), want,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array(got['arrays']), want,
                               rtol=1e-5, atol=1e-6)
    assert got['classes'] == [CLASSES[i] for i in want.argmax(1)]


def test_baseline_export_is_the_plain_network(tmp_path):
    """Single-network classifiers: the checkpoint's network, stripped of
    train-time settings (Mixup augments) and runtime state."""
    from mmpretrain import init_model
    cfg = Config.fromfile(str(MIXUP_FMNIST_CFG))
    source = training_checkpoint(cfg, tmp_path / 'src.pth', seed=2)
    main([str(tmp_path / 'src.pth'), str(tmp_path / 'plain.pth')])
    ckpt = torch.load(tmp_path / 'plain.pth', weights_only=True)
    assert ckpt['meta']['network'] == 'single'
    assert set(ckpt['state_dict']) == set(source.state_dict())
    exported = Config.fromfile(str(tmp_path / 'plain.py'))
    assert 'train_cfg' not in exported.model
    model = init_model(str(tmp_path / 'plain.py'), str(tmp_path / 'plain.pth'))
    x = torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(model(x), source(x))


def test_select_network_of_an_emahook_checkpoint():
    """MMEngine's EMAHook saves the EMA weights in ``state_dict`` and the
    source model's in ``ema_state_dict`` (``module.*``)."""
    ema_w, online_w = torch.ones(1), torch.zeros(1)
    ckpt = dict(state_dict={'backbone.w': ema_w, 'data_preprocessor.m': 1},
                ema_state_dict={'module.backbone.w': online_w, 'steps': 3})
    state, kind = select_network(ckpt, 'ema')
    assert kind == 'ema' and state == {'backbone.w': ema_w}
    state, kind = select_network(ckpt, 'online')
    assert kind == 'online' and state == {'backbone.w': online_w}
    with pytest.raises(KeyError, match='backbone'):
        select_network(dict(state_dict={'x.w': ema_w}), 'ema')


def test_custom_imports_only_when_a_module_is_this_package():
    """ResNeXt_CIFAR is this package's: the exported config must import it;
    the CIFAR ResNet-18 is mmpretrain's: no import."""
    rx50 = inference_config(Config.fromfile(str(RX50_CIFAR_CFG)))
    assert rx50.custom_imports.imports == ['adautomix_mm']
    r18 = inference_config(Config.fromfile(str(SAMIX_CIFAR_CFG)))
    assert 'custom_imports' not in r18
    assert r18.test_pipeline == [dict(type='PackInputs')]  # 3 channels
