"""AutoMix's steps recomputed by hand on the tiny AutoMix of
``tiny_models``, shared by test_automix.py and test_automix_options.py."""
import copy

import torch
import torch.nn.functional as F

from adautomix_mm.models.utils import sample_partners, sample_ratios

from helpers.tiny_models import NUM_CLASSES
from helpers.tiny_models import tiny_batch as batch

CLS_KEYS = ('loss_mix', 'loss_one')


def draws(seed, b, alpha=2.0):
    """``(lam_g, lam_c, perms_c, perms_g)`` in the order ``loss()`` draws
    them after ``torch.manual_seed(seed)``."""
    torch.manual_seed(seed)
    lam_g = sample_ratios(2, alpha, 'beta_normalized')
    lam_c = sample_ratios(2, alpha, 'beta_normalized')
    perms_c = sample_partners(2, b, keep_first=True)
    return lam_g, lam_c, perms_c, sample_partners(2, b, keep_first=True)


def grads_after(model, keys, seed=3, enabled=True, progress=0.0):
    model.zero_grad(set_to_none=True)
    model.set_schedule_state(enabled, progress)
    x, samples = batch()
    torch.manual_seed(seed)
    losses = model.loss(x, samples)
    sum(losses[k] for k in keys).backward()
    return losses


def generator_step_by_hand(model):
    """One generator-phase ``loss()`` of ``model`` and, recomputed by hand
    from the same weights and draws (seed 3): the generator's masks, the
    frozen teacher's logits on its mixed sample, lam, partners and one-hot
    labels."""
    x, samples = batch()
    model.set_schedule_state(True, 0.0)
    snapshot = copy.deepcopy(model.state_dict())
    torch.manual_seed(3)
    losses = model.loss(x, samples)

    model.load_state_dict(snapshot)
    b = x.size(0)
    lam, _, _, perms = draws(3, b)
    t = model.teacher.module
    with torch.no_grad():
        z = t['backbone'](x)[0]
        masks = model.mix_block(torch.stack([z, z[perms[1]]], 1), lam,
                                (16, 16))
        x_mix = masks[:, :1] * x + masks[:, 1:] * x[perms[1]]
        logits = t['mix_head'](t['neck'](t['backbone'](x_mix)))
    y = F.one_hot(torch.arange(b) % NUM_CLASSES, NUM_CLASSES).float()
    return losses, masks, logits, lam, perms, y
