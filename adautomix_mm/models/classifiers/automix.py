"""AutoMix (Liu et al., "AutoMix: Unveiling the Power of Mixup for Stronger
Classifiers", ECCV 2022), and SAMix through its Mix Block options.

Semantics follow the official code (Westlake-AI/openmixup
``openmixup/models/classifiers/automix.py``, class ``AutoMixup``); every
deviation is a named argument whose reference value is the default.
"""
import math
from typing import Dict, List

import torch
from mmpretrain.models.utils.batch_augments import RandomBatchAugment
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import args
from ..utils.eta_balanced_loss import eta_balanced_bce
from ..utils.mixing import (constant_masks, mix_linear, mix_with_masks,
                            sample_partners, sample_ratios)
from .momentum_mix_classifier import MomentumMixClassifier

MASK_ADJUST_RATIOS = ('classifier', 'generator')
SWITCH_OFF_ANNEALING = ('none', 'cosine')
GENERATOR_LOSSES = ('mixup_ce', 'eta_balanced_bce')
# The reference's `head_one_mix` (AutoMixup.forward_q): the one-hot branch
# trains on Mixup (alpha 0.8) or CutMix (alpha 1.0), 50/50 per step.
HEAD_ONE_MIX_AUGMENTS = (dict(type='Mixup', alpha=0.8),
                         dict(type='CutMix', alpha=1.0))


@MODELS.register_module()
class AutoMix(MomentumMixClassifier):
    r"""AutoMix: a Mix Block generator trained cooperatively through a frozen
    EMA teacher (the "momentum pipeline").

    One training step (all in :meth:`loss`; one backward, one optimizer
    step):

    1. Two independent draws :math:`\lambda_g, \lambda_c \sim
       Beta(\alpha, \alpha)` and partners :math:`\pi_g, \pi_c` (image 1 is
       the batch itself, image 2 the shuffled batch).
    2. Teacher pass on the clean batch (no grad): mix-stage features z.
    3. Masks :math:`M^g = G(z, z[\pi_g], \lambda_g)` and, detached,
       :math:`M^c = G(z, z[\pi_c], \lambda_c)`;
       :math:`\tilde x = M_1 \odot x + M_2 \odot x[\pi]`.
       ``mask_adjust`` (probability): rescale :math:`M^c` so each sample's
       share of image 1 is :math:`\lambda_c`; ``lam_margin``: if
       :math:`\min(\lambda_c, 1-\lambda_c) \le` margin,
       :math:`M^c = (\lambda_c, 1-\lambda_c)` (linear mixup).
    4. Classifier (online network q), soft CE with
       :math:`\tilde y = \lambda y + (1-\lambda) y[\pi]`:
       ``loss_mix`` :math:`= CE(h^{mix}_q(f_q(\tilde x_c)), \tilde y_c)`,
       ``loss_one`` :math:`= CE(h_q(f_q(x)), y)`.
    5. Generator (Mix Block only, through the frozen teacher's input
       gradient): ``loss_gen`` :math:`= w\,CE(h^{mix}_k(f_k(\tilde x_g)),
       \tilde y_g)` and ``loss_mask`` :math:`= \mu\,L_{mask}(M^g,
       \lambda_g)` (:meth:`PixelMixBlock.mask_loss`, :math:`\mu` =
       ``mask_loss``; :class:`MaskLossScheduleHook` anneals it).

    The schedule (teacher momentum, ``generator_off``, progress t/T) comes
    from :class:`MomentumScheduleHook` (:meth:`set_schedule_state`);
    :meth:`loss` raises until it is set.

    Args:
        mix_block (dict): the generator (``PixelMixBlock``); ``in_channels``
            is inferred from the backbone if omitted/None.
        alpha (float): Beta concentration (2.0).
        mask_loss (float): weight :math:`\mu` of the mask loss (0.1).
        mask_adjust (float): probability of rescaling :math:`M^c` to a ratio
            (0; SAMix recipes 0.25): if the mean :math:`\mu_b` of
            :math:`M_1` exceeds the ratio, :math:`M_1` is scaled down, else
            :math:`M_2` (:meth:`adjust_masks`).
        mask_adjust_ratio (str): that ratio: 'classifier' (:math:`\lambda_c`,
            default) or 'generator' (:math:`\lambda_g`, the reference code).
        lam_margin (float): ratio margin of the linear-mixup fallback (0.08).
        switch_off (float): the generator's teacher pass runs with
            probability ``switch_off * a`` (0: always), a = 1
            (``switch_off_annealing='none'``, default) or
            :math:`(\cos(\pi t/T) + 1)/2` ('cosine'); the mask loss stays.
        generator_weight (float): w (1.0).
        generator_loss (str): 'mixup_ce' (default: the teacher mix head's
            loss on :math:`\tilde y_g`) or 'eta_balanced_bce'
            (:func:`eta_balanced_bce`, SAMix's binary form).
        generator_eta (float): its eta in [0, 1] (0.5).
        head_one_mix (bool): False (default): ``loss_one`` on the clean
            batch; True: on a Mixup(0.8) or CutMix(1.0) sample, 50/50.
        partners_no_repeat (bool): False (default): plain permutations;
            True: redrawn up to 10 times while a sample is its own partner
            (the generator's then a cyclic shift).
        **kwargs: the two-network classifier's arguments (``backbone``,
            ``neck``, ``head``, ``mix_head``, ``mix_stage``,
            ``teacher_momentum``, ``teacher_buffers``, ``predict_network``,
            ``data_preprocessor``, ``init_cfg``), see
            :class:`MomentumMixClassifier`; any other key is an error.

    Defaults are the reference's AutoMix recipe values; SAMix options and
    their history: docs/automix_samix.md.
    """

    CLASSIFIER_LOSSES = ('loss_mix', 'loss_one')
    GENERATOR_LOSSES = ('loss_gen', 'loss_mask')
    FIXED_MIX_SAMPLES = 2

    def __init__(self,
                 backbone: dict,
                 mix_block: dict = dict(type='PixelMixBlock'),
                 alpha: float = 2.0,
                 mask_loss: float = 0.1,
                 mask_adjust: float = 0.0,
                 mask_adjust_ratio: str = 'classifier',
                 lam_margin: float = 0.08,
                 switch_off: float = 0.0,
                 switch_off_annealing: str = 'none',
                 generator_weight: float = 1.0,
                 generator_loss: str = 'mixup_ce',
                 generator_eta: float = 0.5,
                 head_one_mix: bool = False,
                 partners_no_repeat: bool = False,
                 **kwargs):
        name = 'AutoMix'
        self.alpha = args.number(name, 'alpha', alpha, 0.0, low_open=True)
        self.mask_loss_init = args.number(name, 'mask_loss', mask_loss, 0.0)
        self.mask_loss = self.mask_loss_init
        self.mask_adjust = args.number(name, 'mask_adjust', mask_adjust, 0, 1)
        self.mask_adjust_ratio = args.choice(
            name, 'mask_adjust_ratio', mask_adjust_ratio, MASK_ADJUST_RATIOS)
        self.lam_margin = args.number(name, 'lam_margin', lam_margin, 0.0,
                                      0.5, high_open=True)
        self.switch_off = args.number(name, 'switch_off', switch_off, 0, 1)
        self.switch_off_annealing = args.choice(
            name, 'switch_off_annealing', switch_off_annealing,
            SWITCH_OFF_ANNEALING)
        self.generator_weight = args.number(name, 'generator_weight',
                                            generator_weight, 0.0)
        self.generator_loss = args.choice(name, 'generator_loss',
                                          generator_loss, GENERATOR_LOSSES)
        self.generator_eta = args.number(name, 'generator_eta',
                                         generator_eta, 0, 1)
        self.head_one_mix = args.flag(name, 'head_one_mix', head_one_mix)
        self.partners_no_repeat = args.flag(name, 'partners_no_repeat',
                                            partners_no_repeat)
        super().__init__(backbone=backbone, **kwargs)
        self.mix_block = self.build_mix_block(mix_block)
        if not callable(getattr(self.mix_block, 'mask_loss', None)):
            raise ValueError(
                f'AutoMix: mix_block {mix_block.get("type")!r} has no '
                '`mask_loss(masks, lam)`; use PixelMixBlock')
        self.one_hot_mixer = RandomBatchAugment(
            [dict(a) for a in HEAD_ONE_MIX_AUGMENTS],
            probs=[0.5, 0.5]) if head_one_mix else None

    def set_mask_loss_weight(self, weight: float) -> None:
        self.mask_loss = float(weight)

    def _generator_pass_runs(self) -> bool:
        """The reference's ``switch_off``: run the teacher pass with
        probability ``switch_off * a`` (see the class docstring)."""
        if self.switch_off <= 0:
            return True
        a = 1.0
        if self.switch_off_annealing == 'cosine':
            a = (math.cos(math.pi * self.progress) + 1.0) / 2.0
        return bool(torch.rand(()) <= self.switch_off * a)

    # ---------------------------------------------------------------- masks
    @staticmethod
    def adjust_masks(masks: torch.Tensor, lam: float,
                     eps: float = 1e-8) -> torch.Tensor:
        r"""Rescale ``[B, 2, H, W]`` masks so that each sample's share of
        image 1 is :math:`\lambda` (the reference's ``mask_adjust``): with
        :math:`\mu_b` the mean of :math:`M_{b,1}` (clamped to
        :math:`[\epsilon, 1-\epsilon]`), if :math:`\mu_b > \lambda`,
        :math:`M_1 \leftarrow M_1 \lambda / \mu_b`; if
        :math:`\mu_b < \lambda`, :math:`M_2 \leftarrow M_2 (1-\lambda) /
        (1 - \mu_b)`; the other mask is the complement."""
        m1 = masks[:, 0].clamp(eps, 1 - eps)
        mean = m1.mean(dim=(1, 2), keepdim=True)
        larger = (mean > lam + eps).float()
        smaller = (mean < lam - eps).float()
        down = m1 * (lam / mean)
        up = 1.0 - (1.0 - m1) * ((1.0 - lam) / (1.0 - mean))
        same = 1.0 - larger - smaller
        new_m1 = larger * down + smaller * up + same * masks[:, 0]
        return torch.stack([new_m1, 1.0 - new_m1], dim=1)

    # ------------------------------------------------------------------ loss
    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        self.check_schedule_state()
        b, size, device = inputs.size(0), inputs.shape[-2:], inputs.device
        targets = self.onehot_targets(data_samples, device)
        # Draw order as the reference: lambda (generator, classifier), then
        # the classifier's and the generator's permutations.
        lam_g = sample_ratios(2, self.alpha, 'beta_normalized', device)
        lam_c = sample_ratios(2, self.alpha, 'beta_normalized', device)
        if self.partners_no_repeat:
            perms_c = _partners_no_repeat(b, strict=False).to(device)
            perms_g = _partners_no_repeat(b, strict=True).to(device)
        else:
            perms_c = sample_partners(2, b, keep_first=True, device=device)
            perms_g = sample_partners(2, b, keep_first=True, device=device)

        teacher = self.network('ema')
        with torch.no_grad():
            z = self.teacher_features(teacher, inputs)[self.mix_stage]
        self.log_first_batch(inputs, z)
        # Generator masks first (the reference's order, which matters for a
        # value neck with BN running statistics).
        masks_g = self.generate_masks(z, perms_g, lam_g, size) \
            if self.generator_enabled else None
        with torch.no_grad():
            masks_c = self.generate_masks(z, perms_c, lam_c, size)
            if self.mask_adjust > 0 and \
                    float(torch.rand(())) < self.mask_adjust:
                ref = lam_c if self.mask_adjust_ratio == 'classifier' \
                    else lam_g
                masks_c = self.adjust_masks(masks_c, float(ref[0]))
            fallback = self._margin_hit(lam_c)
            if fallback:
                masks_c = constant_masks(lam_c, b, size).to(inputs)
        # The teacher's mixed pass before the online passes, as the
        # reference (forward_k, then forward_q); its graph is freed before
        # them (early_grad: same gradients, lower memory peak).
        generator = self._generator_losses(inputs, targets, lam_g, perms_g,
                                           masks_g, teacher)
        losses = self._classifier_losses(inputs, targets, lam_c, perms_c,
                                         masks_c)
        losses.update(generator)
        losses.update(self.mask_logs(masks_g, lam_g, masks_c, lam_c, fallback))
        return losses

    def _classifier_losses(self, x, targets, lam, perms, masks):
        online = self.network('online')

        def ce(head, inputs, y):
            return self.online_loss(online, head, inputs, y)

        x_one, y_one = x, targets
        if self.one_hot_mixer is not None:  # head_one_mix; CutMix is in place
            x_one, y_one = self.one_hot_mixer(x.clone(), targets)
        return dict(
            loss_mix=ce(online.mix_head, mix_with_masks(x, perms, masks),
                        mix_linear(targets, perms, lam)),
            loss_one=ce(online.head, x_one, y_one))

    def _generator_losses(self, x, targets, lam, perms, masks, teacher):
        if masks is None:  # generator stopped
            zero = self.zero_generator_loss()
            return dict(loss_gen=zero, loss_mask=zero.detach())
        loss_mask = self.mask_loss * self.mix_block.mask_loss(masks, lam)
        if not self._generator_pass_runs():
            return dict(loss_gen=self.zero_generator_loss(),
                        loss_mask=loss_mask)
        y_mix = mix_linear(targets, perms, lam)

        def loss_fn(logits):
            if self.generator_loss == 'eta_balanced_bce':
                loss_gen = eta_balanced_bce(logits, y_mix, self.generator_eta)
            else:
                loss_gen = teacher.mix_head.loss_module(
                    logits, y_mix, avg_factor=x.size(0))
            return self.generator_weight * loss_gen

        return dict(loss_gen=self.teacher_mixed_loss(x, perms, masks, teacher,
                                                     loss_fn),
                    loss_mask=loss_mask)


def _partners_no_repeat(b: int, strict: bool, tries: int = 10) -> torch.Tensor:
    """``[2, B]`` partners (identity, permutation) as the reference's
    ``mix_shuffle_no_repeat``: a permutation, redrawn up to ``tries`` times
    while it has a fixed point; ``strict``: if the last one still has one, a
    cyclic shift by k ~ U{1, ..., B-2} (k = 1 for B <= 3), which has none.
    (The reference flags the last redraw without checking it.)"""
    ident = torch.arange(b)
    perm = torch.randperm(b)
    for _ in range(tries):
        if not bool((perm == ident).any()):
            break
        perm = torch.randperm(b)
    if strict and b > 1 and bool((perm == ident).any()):
        shift = int(torch.randint(1, b - 1, ())) if b > 2 else 1
        perm = (ident + shift) % b
    return torch.stack([ident, perm])
