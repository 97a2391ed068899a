"""early_grad: the generator's input gradient taken inside loss() gives the
same losses, parameter gradients and BN buffers, bit for bit, as leaving it
to the step's single backward; the teacher's graph is freed early."""
import copy

import pytest
import torch

import adautomix_mm  # noqa: F401
from adautomix_mm.models.classifiers import \
    momentum_mix_classifier as base_module
from adautomix_mm.models.utils.early_grad import early_grad, grad_leaf

from helpers.tiny_models import adautomix as build_adautomix
from helpers.tiny_models import automix as build_automix
from helpers.tiny_models import tiny_batch as batch


def test_value_and_gradient_match_and_the_graph_is_freed():
    w = torch.randn(5, requires_grad=True)
    masks = torch.sigmoid(w * 2.0)
    leaf = grad_leaf(masks)
    assert leaf is not masks and leaf.is_leaf and leaf.requires_grad
    loss = (leaf.exp() * torch.arange(5.)).sum()
    out = early_grad(loss, leaf, masks)
    assert torch.equal(out, loss.detach())
    with pytest.raises(RuntimeError, match='backward through the graph'):
        loss.backward()  # freed by early_grad
    (out + masks.sum()).backward()
    joint = torch.sigmoid(w * 2.0)
    expected = torch.autograd.grad(
        (joint.exp() * torch.arange(5.)).sum() + joint.sum(), w)[0]
    assert torch.equal(w.grad, expected)


def test_no_graph_or_autocast_keeps_the_loss():
    x = torch.randn(3)
    assert grad_leaf(x) is x
    y = torch.randn(3, requires_grad=True) * 2
    with torch.no_grad():
        assert grad_leaf(y) is y
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert grad_leaf(y) is y
    loss = (y**2).sum()
    assert early_grad(loss, y, y) is loss


def step(model, set_state):
    """losses, grads and state after one loss() + backward."""
    x, samples = batch()
    model.zero_grad(set_to_none=True)
    set_state(model)
    torch.manual_seed(7)
    losses = model.loss(x, samples)
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()
             if p.grad is not None}
    return losses, grads, copy.deepcopy(model.state_dict())


@pytest.mark.parametrize('which', ['automix', 'adautomix_n2', 'adautomix_n3'])
def test_classifiers_give_identical_results_with_and_without(
        which, monkeypatch):
    if which == 'automix':
        model = build_automix()

        def set_state(m):
            m.set_schedule_state(True, 0.3)
    else:
        model = build_adautomix(mix_samples=2 if which.endswith('2') else 3)

        def set_state(m):
            m.set_game_state(True, True)
    start = copy.deepcopy(model.state_dict())
    early = step(model, set_state)
    model.load_state_dict(start)
    # the generator's teacher pass lives in the shared base class
    monkeypatch.setattr(base_module, 'grad_leaf', lambda t: t)  # joint backward
    joint = step(model, set_state)
    assert early[0].keys() == joint[0].keys()
    for key in early[0]:
        assert torch.equal(early[0][key].detach(), joint[0][key].detach()), key
    assert early[1].keys() == joint[1].keys()
    assert any(n.startswith('mix_block.') for n in early[1])
    for name in early[1]:
        assert torch.equal(early[1][name], joint[1][name]), name
    for name in early[2]:
        assert torch.equal(early[2][name], joint[2][name]), name
