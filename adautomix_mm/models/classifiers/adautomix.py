"""AdAutoMix (Qin et al., "Adversarial AutoMixup", ICLR 2024).

Semantics follow the official code (JinXins/Adversarial-AutoMixup
``openmixup/models/classifiers/AdAutoMix.py``); every deviation is a named
argument whose reference value is the default unless noted.
"""
import logging
from typing import Dict, List

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import args
from ..utils.mixing import (LAM_SAMPLERS, constant_masks, mix_linear,
                            mix_with_masks, sample_partners, sample_ratios)
from ..utils.norm_replay import (batch_stats_since, replay_updates,
                                 running_norm_layers, snapshot)
from .momentum_mix_classifier import MomentumMixClassifier

MARGIN_MODES = ('any', 'first')
# Order of the online network's passes: clean (loss_one), linear mixup
# (loss_vmix, N >= 3), generated mix (loss_amix).
PASS_ORDERS = ('clean_vmix_amix', 'amix_clean_vmix')


@MODELS.register_module()
class AdAutoMix(MomentumMixClassifier):
    r"""Adversarial AutoMixup: a Mix Block generator G trained against the
    classifier through a frozen EMA teacher.

    One training step (all in :meth:`loss`, so single-process and DDP runs
    are identical; MMEngine does one backward and one optimizer step):

    1. Sample N (``mix_samples``, or uniform in {2..N} if ``is_random``),
       ratios :math:`\lambda` and partners :math:`\pi_1..\pi_N`. N = 2: the
       generator's and the classifier's samples get independent
       :math:`\lambda_g, \lambda_c` and partners ``(x, x[pi])``. N >= 3: one
       shared :math:`\lambda`, independent random permutations.
    2. Teacher pass on the clean batch (no grad): mix-stage features z and
       clean teacher logits :math:`h^{mix}_k(f_k(x))` (one pass for the
       reference's 1 + N).
    3. Masks :math:`M^c = G(z[\pi'], \lambda_c)` (no grad) and
       :math:`M^g = G(z[\pi], \lambda_g)`;
       :math:`\tilde x = \sum_i M_i \odot x[\pi_i]`. ``lam_margin``: if a
       classifier ratio is extreme, :math:`M^c_i = \lambda_i` (linear mixup).
    4. Classifier (online network q) losses, soft CE with
       :math:`\tilde y = \sum_i \lambda_i y[\pi_i]`:
       ``loss_amix`` :math:`= CE(h^{mix}_q(f_q(\tilde x_c)), \tilde y_c)`;
       ``loss_one`` :math:`= (1 - r) CE(h_q(f_q(x)), y)`, and for N >= 3
       ``loss_vmix`` :math:`= r\,CE(h^{mix}_q(f_q(\sum_i\lambda_i
       x[\pi'_i])), \tilde y_c)` (r = ``mixup_radio``; for N = 2 ``loss_one``
       has weight 1).
    5. Generator loss through the frozen teacher (input gradient only),
       :math:`p = h^{mix}_k(f_k(\tilde x_g))`,
       :math:`L_{tmix} = CE(p, \tilde y_g)`,
       :math:`S = \mathrm{mean}_b \sum_i \lambda_i \cos(p, h^{mix}_k(f_k(x))[\pi_i])`:
       adversarial phase :math:`L_G = -\beta L_{tmix} + s (1-\beta) S`,
       cooperative phase :math:`L_G = L_{tmix}`
       (:math:`\beta` = ``beta_radio``, s = ``cos_sign``).
       ``loss_gen`` :math:`= w\,L_G` (w = ``generator_weight``).

    Logged, not summed: the :func:`mask_diagnostics` of :math:`M^g` and
    ``mask_fallback_rate``. The phase comes from
    :class:`AdversarialOptimizerHook` (:meth:`set_schedule_state`);
    :meth:`loss` raises until it is set. Pass counts, the closed-form BN
    replay and the measured step cost: docs/adautomix.md.

    Args:
        mix_block (dict): the generator, e.g. ``dict(type='AttentionMixBlock')``;
            its ``in_channels`` is inferred from the backbone if omitted/None.
        mix_samples (int): N >= 2 images per mixed sample (3; 2 in the
            reference's ImageNet recipes).
        is_random (bool): draw N uniformly from {2, ..., mix_samples}.
        alpha (float): Beta / Dirichlet concentration.
        lam_sampler (str): 'beta_normalized' (reference) or 'dirichlet'.
        lam_margin (float): ratio margin for the constant-mask fallback.
        lam_margin_mode (str): 'first' (reference, default) checks only
            :math:`\lambda_1` for N >= 3; 'any' checks every ratio
            (:math:`\min_i \lambda_i \le` margin). Equal for N = 2.
        online_pass_order (str): order of the online network's train-mode
            passes, which decides its BN running statistics only:
            'clean_vmix_amix' (reference, default) or 'amix_clean_vmix'.
        mixup_radio (float): r, weight of the linear N-way mixup loss.
        beta_radio (float): beta of the adversarial generator objective.
        cos_sign (float): s = +1 (reference) or -1 (docs/adautomix.md).
        generator_weight (float): weight of the generator loss.
        replay_clean_bn (bool): True (default): apply to the teacher's BN
            running statistics, after the mixed pass, the N clean-batch
            updates of the reference's N extra clean passes
            (:mod:`..utils.norm_replay`); only with ``teacher_buffers='own'``.
        **kwargs: the two-network classifier's arguments (``backbone``,
            ``neck``, ``head``, ``mix_head``, ``mix_stage``,
            ``teacher_momentum``, ``teacher_buffers``, ``predict_network``,
            ``data_preprocessor``, ``init_cfg``), see
            :class:`MomentumMixClassifier`; any other key is an error.

    Defaults are the reference CIFAR recipe's (N = 3, alpha 1, r 0.5,
    beta 0.3, margin 0.03 on :math:`\lambda_1`). History, measurements and
    the deviations table: docs/adautomix.md.
    """

    CLASSIFIER_LOSSES = ('loss_amix', 'loss_one', 'loss_vmix')
    PLAYS_GAME = True
    GENERATOR_LOSSES = ('loss_gen', )

    def __init__(self,
                 backbone: dict,
                 mix_block: dict = dict(type='AttentionMixBlock'),
                 mix_samples: int = 3,
                 is_random: bool = False,
                 alpha: float = 1.0,
                 lam_sampler: str = 'beta_normalized',
                 lam_margin: float = 0.03,
                 lam_margin_mode: str = 'first',
                 online_pass_order: str = 'clean_vmix_amix',
                 mixup_radio: float = 0.5,
                 beta_radio: float = 0.3,
                 cos_sign: float = 1.0,
                 generator_weight: float = 1.0,
                 replay_clean_bn: bool = True,
                 **kwargs):
        name = 'AdAutoMix'
        self.mix_samples = args.integer(name, 'mix_samples', mix_samples, 2)
        self.is_random = args.flag(name, 'is_random', is_random)
        self.alpha = args.number(name, 'alpha', alpha, 0.0, low_open=True)
        self.lam_sampler = args.choice(name, 'lam_sampler', lam_sampler,
                                       LAM_SAMPLERS)
        self.lam_margin = args.number(name, 'lam_margin', lam_margin, 0.0,
                                      0.5, high_open=True)
        self.lam_margin_mode = args.choice(name, 'lam_margin_mode',
                                           lam_margin_mode, MARGIN_MODES)
        self.online_pass_order = args.choice(
            name, 'online_pass_order', online_pass_order, PASS_ORDERS)
        self.mixup_radio = args.number(name, 'mixup_radio', mixup_radio, 0, 1)
        self.beta_radio = args.number(name, 'beta_radio', beta_radio, 0, 1)
        self.cos_sign = args.choice(
            name, 'cos_sign', args.number(name, 'cos_sign', cos_sign),
            (1.0, -1.0))
        self.generator_weight = args.number(name, 'generator_weight',
                                            generator_weight, 0.0)
        self.replay_clean_bn = args.flag(name, 'replay_clean_bn',
                                         replay_clean_bn)
        super().__init__(backbone=backbone, **kwargs)
        self.mix_block = self.build_mix_block(mix_block)
        # Constant unless is_random: logged once here, not every iteration.
        print_log(
            f'AdAutoMix: N = {mix_samples} images per mixed sample' +
            (' at most, drawn from {2..N} every iteration (logged as '
             'mix_samples)' if is_random and mix_samples > 2 else '') +
            f'; lam_margin={lam_margin} ({lam_margin_mode!r}), '
            f'online passes {online_pass_order!r}.',
            logger='current', level=logging.INFO)

    def set_game_state(self, adversarial: bool, generator_enabled: bool) -> None:
        """Shorthand of :meth:`set_schedule_state` keeping the progress."""
        self.set_schedule_state(generator_enabled, self.progress, adversarial)

    def _replays_clean_bn(self) -> bool:
        # The reference skips its mixed and clean teacher passes together
        # when the generator is switched off; 'copy'/'average' teachers get
        # their buffers from the EMA update instead.
        return (self.replay_clean_bn and self.generator_enabled
                and self.teacher.buffer_mode == 'own')

    # -------------------------------------------------------------- sampling
    def _sample_num_mix(self) -> int:
        if not self.is_random or self.mix_samples == 2:
            return self.mix_samples
        return int(torch.randint(2, self.mix_samples + 1, ()).item())

    # ------------------------------------------------------------------ loss
    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        self.check_schedule_state()
        b, size, device = inputs.size(0), inputs.shape[-2:], inputs.device
        targets = self.onehot_targets(data_samples, device)
        n = self._sample_num_mix()
        lam_c = sample_ratios(n, self.alpha, self.lam_sampler, device)
        lam_g = sample_ratios(n, self.alpha, self.lam_sampler, device) \
            if n == 2 else lam_c
        perms_c = sample_partners(n, b, keep_first=n == 2, device=device)
        perms_g = sample_partners(n, b, keep_first=n == 2, device=device)

        teacher = self.network('ema')
        # BN layers whose clean-batch update the reference makes N more times.
        norms = running_norm_layers(self.teacher.module) \
            if self._replays_clean_bn() else []
        before = snapshot(norms)
        with torch.no_grad():
            t_out = self.teacher_features(teacher, inputs)
            z = t_out[self.mix_stage]
            self.log_first_batch(inputs, z)
            need_clean = (self.generator_enabled and self.adversarial
                          and self.beta_radio < 1.0)
            t_clean = teacher.mix_head(self.neck_feats(teacher, t_out)) \
                if need_clean else None
            fallback = self._margin_hit(lam_c)
            if fallback:
                masks_c = constant_masks(lam_c, b, size).to(inputs)
            else:
                masks_c = self.generate_masks(z, perms_c, lam_c, size)
        clean_stats = batch_stats_since(norms, before)
        # The teacher's mixed pass before the online passes, as the
        # reference (its forward_k runs before forward_q); its graph is
        # freed before them (early_grad: same gradients, lower memory peak).
        loss_gen, masks_g = self._generator_loss(
            inputs, targets, z, lam_g, perms_g, t_clean, teacher)
        replay_updates(norms, clean_stats, times=n)
        losses = self._classifier_losses(inputs, targets, n, lam_c, perms_c,
                                         masks_c)
        losses['loss_gen'] = loss_gen
        losses.update(self.mask_logs(masks_g, lam_g, masks_c, lam_c, fallback))
        if self.is_random and self.mix_samples > 2:
            losses['mix_samples'] = torch.tensor(float(n), device=device)
        losses['adv_phase'] = torch.tensor(float(self.adversarial),
                                           device=device)
        return losses

    def _classifier_losses(self, x, targets, n, lam, perms, masks):
        online = self.network('online')
        y_mix = mix_linear(targets, perms, lam)

        def ce(head, inputs, y):
            return self.online_loss(online, head, inputs, y)

        r = self.mixup_radio if n >= 3 else 0.0
        passes = dict(
            amix=lambda: ('loss_amix', ce(
                online.mix_head, mix_with_masks(x, perms, masks), y_mix)),
            clean=lambda: ('loss_one', (1.0 - r) * ce(online.head, x,
                                                      targets)),
            vmix=lambda: ('loss_vmix', r * ce(
                online.mix_head, mix_linear(x, perms, lam), y_mix)))
        losses = {}
        for name in self.online_pass_order.split('_'):
            if name != 'vmix' or n >= 3:
                key, value = passes[name]()
                losses[key] = value
        # Keys in one order whatever the pass order (the log's columns).
        return {k: losses[k] for k in self.CLASSIFIER_LOSSES if k in losses}

    def _generator_loss(self, x, targets, z, lam, perms, t_clean, teacher):
        if not self.generator_enabled:
            return self.zero_generator_loss(), None
        masks = self.generate_masks(z, perms, lam, x.shape[-2:])
        y_mix = mix_linear(targets, perms, lam)

        def loss_fn(logits):
            loss_tmix = teacher.mix_head.loss_module(logits, y_mix,
                                                     avg_factor=x.size(0))
            if not self.adversarial:
                return self.generator_weight * loss_tmix
            beta = self.beta_radio
            loss = -beta * loss_tmix
            if t_clean is not None:
                cos = torch.stack([
                    F.cosine_similarity(logits, t_clean[p].float(), dim=1)
                    for p in perms
                ], dim=1)  # [B, N]
                sim = (cos * lam.view(1, -1).to(cos)).sum(1).mean()
                loss = loss + self.cos_sign * (1.0 - beta) * sim
            return self.generator_weight * loss

        return self.teacher_mixed_loss(x, perms, masks, teacher,
                                       loss_fn), masks
