"""The exported teacher is a plain ImageClassifier giving the same scores."""
import copy

import pytest
import torch
from mmpretrain.registry import MODELS

import adautomix_mm  # noqa: F401
from adautomix_mm.runtime.cli.export_network import export_state_dict, main

HEAD = dict(type='LinearClsHead', num_classes=3, in_channels=64,
            loss=dict(type='CrossEntropyLoss', use_soft=True))
BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                base_channels=8, out_indices=(2, 3))


@pytest.mark.parametrize('network', ['ema', 'online'])
def test_exported_network_reproduces_predictions(tmp_path, network):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='AdAutoMix', backbone=BACKBONE,
        neck=dict(type='GlobalAveragePooling'), head=HEAD,
        mix_head=copy.deepcopy(HEAD)))
    model.init_weights()
    with torch.no_grad():  # make the two networks differ
        for p in model.backbone.parameters():
            p.add_(0.1 * torch.randn_like(p))
    ckpt = tmp_path / 'adautomix.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), ckpt)
    out = tmp_path / 'exported.pth'
    main([str(ckpt), str(out), '--network', network])

    plain = MODELS.build(dict(type='ImageClassifier', backbone=BACKBONE,
                              neck=dict(type='GlobalAveragePooling'),
                              head=HEAD))
    exported = torch.load(out, weights_only=False)
    assert exported['meta']['network'] == network
    plain.load_state_dict(exported['state_dict'], strict=True)
    model.eval(), plain.eval()
    x = torch.randn(4, 3, 16, 16)
    want = model.predict(x)
    got = plain.predict(x)
    for w, g in zip(want, got):
        torch.testing.assert_close(g.pred_score, w.get(f'pred_score_{network}'))


def test_export_rejects_plain_classifier_checkpoints():
    with pytest.raises(KeyError, match='teacher.module.backbone'):
        export_state_dict({'backbone.conv1.weight': torch.zeros(1)}, 'ema')
    with pytest.raises(ValueError, match="'student'"):
        export_state_dict({}, 'student')
