r"""SAMix's eta-balanced mixup loss for the generator, binary form.

SAMix (Li et al., "Boosting Discriminative Visual Representation Learning
with Scenario-Agnostic Mixup", arXiv:2111.15454) trains its Mixer with an
"eta-balanced" mixup loss: local smoothness between the two mixed classes,
balanced by eta against discrimination from the other classes. OpenMixup
configures it as the Mix Block head's ``neg_weight`` (Westlake-AI/openmixup
``openmixup/models/heads/cls_mixup_head.py``, ``ClsMixupHead``: class weight
1 where the mixed target is > 0, ``neg_weight`` elsewhere, "should be BCE
multi-label loss"). In a softmax cross-entropy the absent classes have zero
target, so the weight multiplies zero terms and has no effect; in the binary
form below it weights the absent classes' terms.

Written here because neither MMPretrain's ``CrossEntropyLoss`` (per-sample
or per-class weights only) nor its ``FocalLoss``/``AsymmetricLoss`` take a
weight per sample *and* class.
"""
import torch
import torch.nn.functional as F


def eta_balanced_bce(logits: torch.Tensor, soft_targets: torch.Tensor,
                     eta: float) -> torch.Tensor:
    r"""Eta-balanced binary cross-entropy, summed over classes, averaged
    over the batch:

    .. math::
        L = \frac1B \sum_{b,c} w_{bc}\,\big[-\tilde y_{bc}\log\sigma(z_{bc})
            - (1-\tilde y_{bc})\log(1-\sigma(z_{bc}))\big],\qquad
        w_{bc} = \begin{cases}1 & \tilde y_{bc} > 0\\ \eta & \text{else}
        \end{cases}

    Args:
        logits: ``[B, K]`` scores z.
        soft_targets: ``[B, K]`` mixed targets :math:`\tilde y` (the two
            mixed classes carry :math:`\lambda`, :math:`1-\lambda`).
        eta: weight of the classes absent from the mixed target, in [0, 1].
    """
    if logits.shape != soft_targets.shape:
        raise ValueError(f'eta_balanced_bce: logits {tuple(logits.shape)} '
                         f'and targets {tuple(soft_targets.shape)} differ')
    logits = logits.float()
    targets = soft_targets.to(logits)
    weight = torch.where(targets > 0, torch.ones_like(targets),
                         torch.full_like(targets, float(eta)))
    loss = F.binary_cross_entropy_with_logits(
        logits, targets, weight=weight, reduction='sum')
    return loss / logits.size(0)
