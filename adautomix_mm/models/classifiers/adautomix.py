"""AdAutoMix (Qin et al., "Adversarial AutoMixup", ICLR 2024).

Semantics follow the official code (JinXins/Adversarial-AutoMixup
``openmixup/models/classifiers/AdAutoMix.py``); every deviation is a named
argument whose reference value is the default unless noted.
"""
import logging
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils.early_grad import early_grad, grad_leaf
from ..utils.mask_diagnostics import mask_diagnostics
from ..utils.mixing import (LAM_SAMPLERS, constant_masks, gather_partners, mix_linear,
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
       clean teacher logits :math:`h^{mix}_k(f_k(x))`. A permuted batch gives
       permuted train-mode BN outputs, so this one pass replaces the
       reference's 1 + N clean passes.
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

    Logged with the losses (not summed into them, no gradient): the
    :func:`~..utils.mask_diagnostics.mask_diagnostics` of the generator's
    masks :math:`M^g` (``mask_spatial_range``, ``mask_entropy``,
    ``mask_share_err``) and ``mask_fallback_rate`` of the classifier's.

    Passes per step: teacher 2 forward (clean, no grad; mixed, with input
    backward), online 2 forward+backward for N = 2 and 3 for N >= 3
    (the reference: 1 + N + 1 teacher passes). As in the reference, the
    teacher's passes (step 5) run before the online ones (step 4); the
    generator's input gradient is taken as soon as its teacher pass ends
    (:func:`~..utils.early_grad.early_grad`: same gradients, the teacher's
    activations freed before the online passes). The reference's N extra clean
    passes also updated the teacher's BN running statistics; with
    ``replay_clean_bn`` those N updates are applied in closed form after the
    mixed pass, so the teacher's statistics follow the reference's sequence
    (clean, mixed, clean x N) without the passes.

    The phase (adversarial or cooperative) and the teacher momentum are set
    by :class:`AdversarialOptimizerHook`. Training without it would leave the
    teacher at its initialisation, so :meth:`loss` raises until a game state
    has been set (by the hook, or by :meth:`set_game_state`).

    Args:
        mix_block (dict): the generator, e.g. ``dict(type='AttentionMixBlock')``;
            its ``in_channels`` is inferred from the backbone if omitted/None.
        mix_samples (int): N >= 2 images per mixed sample (reference: 3 on
            CIFAR/Tiny/fine-grained, 2 on ImageNet).
        is_random (bool): draw N uniformly from {2, ..., mix_samples}.
        alpha (float): Beta / Dirichlet concentration.
        lam_sampler (str): 'beta_normalized' (reference) or 'dirichlet'.
        lam_margin (float): ratio margin for the constant-mask fallback.
        lam_margin_mode (str): 'any' (default, this package's fix) checks
            every ratio (:math:`\min_i \lambda_i \le` margin), so a sample
            in which some image gets almost no label weight is plain linear
            mixup; 'first' (the reference, used by the recipes) checks only
            :math:`\lambda_1` for N >= 3 (for N = 2 both modes coincide).
            With Beta(1, 1) ratios and N = 3 the fallback fires in about
            9% ('any') against 3% ('first') of the iterations.
        online_pass_order (str): order of the online network's train-mode
            passes, which decides its BN running statistics (the gradients
            do not depend on it): 'clean_vmix_amix' (the reference, used by
            the recipes) or 'amix_clean_vmix' (default: this package's
            earlier order, kept so existing runs reproduce).
        mixup_radio (float): r, weight of the linear N-way mixup loss.
        beta_radio (float): beta of the adversarial generator objective.
        cos_sign (float): +1 (reference: the minimised generator loss
            *adds* the cosine similarity, pushing it down) or -1 (keeps the
            mixed sample's logits similar to its sources', the paper's
            stated intent).
        generator_weight (float): weight of the generator loss.
        replay_clean_bn (bool): True (reference statistics): after the mixed
            pass, apply to the teacher's BN running statistics the N updates
            with the clean batch's statistics that the reference's N extra
            clean passes made (see :mod:`..utils.norm_replay`). False: only
            the passes made here update them (one clean, one mixed: about
            half the statistics come from mixed images, against about a
            fifth in the reference for N = 3). Only used with
            ``teacher_buffers='own'``.
        Other arguments: see :class:`MomentumMixClassifier`.
    """

    CLASSIFIER_LOSSES = ('loss_amix', 'loss_one', 'loss_vmix')
    GENERATOR_LOSSES = ('loss_gen', )

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 mix_block: dict = dict(type='AttentionMixBlock'),
                 mix_head: Optional[dict] = None,
                 mix_samples: int = 3,
                 is_random: bool = False,
                 alpha: float = 1.0,
                 lam_sampler: str = 'beta_normalized',
                 lam_margin: float = 0.03,
                 lam_margin_mode: str = 'any',
                 online_pass_order: str = 'amix_clean_vmix',
                 mixup_radio: float = 0.5,
                 beta_radio: float = 0.3,
                 cos_sign: float = 1.0,
                 generator_weight: float = 1.0,
                 replay_clean_bn: bool = True,
                 mix_stage: int = 0,
                 teacher_momentum: float = 0.999,
                 teacher_buffers: str = 'own',
                 predict_network: str = 'ema',
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        _check_args(mix_samples, alpha, lam_sampler, lam_margin,
                    lam_margin_mode, mixup_radio, beta_radio, cos_sign)
        if online_pass_order not in PASS_ORDERS:
            raise ValueError(f'online_pass_order must be one of '
                             f'{PASS_ORDERS}, got {online_pass_order!r}')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            mix_head=mix_head,
            mix_stage=mix_stage,
            teacher_momentum=teacher_momentum,
            teacher_buffers=teacher_buffers,
            predict_network=predict_network,
            pretrained=pretrained,
            train_cfg=train_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.mix_block = self.build_mix_block(mix_block)
        self.mix_samples = mix_samples
        self.is_random = is_random
        self.alpha = alpha
        self.lam_sampler = lam_sampler
        self.lam_margin = lam_margin
        self.lam_margin_mode = lam_margin_mode
        self.online_pass_order = online_pass_order
        self.mixup_radio = mixup_radio
        self.beta_radio = beta_radio
        self.cos_sign = float(cos_sign)
        self.generator_weight = generator_weight
        if not isinstance(replay_clean_bn, bool):
            raise TypeError(f'replay_clean_bn must be True or False, got '
                            f'{replay_clean_bn!r}')
        self.replay_clean_bn = replay_clean_bn
        # Game state, set each iteration by AdversarialOptimizerHook (None:
        # never set, i.e. the hook is missing).
        self.adversarial: Optional[bool] = None
        self.generator_enabled = True
        # Constant unless is_random: logged once here, not every iteration.
        print_log(
            f'AdAutoMix: N = {mix_samples} images per mixed sample' +
            (' at most, drawn from {2..N} every iteration (logged as '
             'mix_samples)' if is_random and mix_samples > 2 else '') +
            f'; lam_margin={lam_margin} ({lam_margin_mode!r}), '
            f'online passes {online_pass_order!r}.',
            logger='current', level=logging.INFO)

    def set_game_state(self, adversarial: bool, generator_enabled: bool) -> None:
        self.adversarial = bool(adversarial)
        self.generator_enabled = bool(generator_enabled)

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

    def _margin_hit(self, lam: torch.Tensor) -> bool:
        """Is a classifier ratio extreme (-> constant, i.e. linear, masks)?"""
        m = self.lam_margin
        if self.lam_margin_mode == 'first':
            first = float(lam[0])
            return first <= m or 1.0 - first <= m
        return bool((lam <= m).any())

    def generate_masks(self, z: torch.Tensor, perms: torch.Tensor,
                       lam: torch.Tensor, size) -> torch.Tensor:
        """``[B, N, H, W]`` masks for partners ``perms`` (``[N, B]``)."""
        return self.mix_block(gather_partners(z, perms), lam, size)

    # ------------------------------------------------------------------ loss
    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        if self.adversarial is None:
            raise RuntimeError(
                'AdAutoMix has no game state: add '
                "dict(type='AdversarialOptimizerHook') to `custom_hooks`. It "
                'sets the adversarial phase before every iteration and updates '
                'the EMA teacher after every optimizer step; without it the '
                'teacher (the evaluated model) would never be updated.')
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
            t_out = teacher.backbone(inputs)
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
        # Non-loss scalars (logged, not summed): the generator's own masks
        # when it ran (they exist even when the classifier fell back to
        # constant masks), the classifier's otherwise.
        if masks_g is not None:
            losses.update(mask_diagnostics(masks_g, lam_g, fallback))
        else:
            losses.update(mask_diagnostics(masks_c, lam_c, fallback))
        if self.is_random and self.mix_samples > 2:
            losses['mix_samples'] = torch.tensor(float(n), device=device)
        losses['adv_phase'] = torch.tensor(float(self.adversarial),
                                           device=device)
        return losses

    def _classifier_losses(self, x, targets, n, lam, perms, masks):
        online = self.network('online')
        y_mix = mix_linear(targets, perms, lam)

        def ce(head, inputs, y):
            return self.head_loss(
                head, self.neck_feats(online, online.backbone(inputs)), y)

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
            # Zero-valued but connected to every generator parameter, so DDP
            # (find_unused_parameters=False) still sees them all used.
            return sum(p.sum() for p in self.mix_block.parameters()) * 0.0, \
                None
        masks = self.generate_masks(z, perms, lam, x.shape[-2:])
        leaf = grad_leaf(masks)
        x_mix = mix_with_masks(x, perms, leaf)
        # Frozen teacher (requires_grad=False): gradients reach only the
        # masks, i.e. the Mix Block, through the teacher's input gradient.
        logits = teacher.mix_head(
            self.neck_feats(teacher, teacher.backbone(x_mix))).float()
        loss_tmix = teacher.mix_head.loss_module(
            logits, mix_linear(targets, perms, lam), avg_factor=x.size(0))
        if not self.adversarial:
            loss = loss_tmix
        else:
            beta = self.beta_radio
            loss = -beta * loss_tmix
            if t_clean is not None:
                cos = torch.stack([
                    F.cosine_similarity(logits, t_clean[p].float(), dim=1)
                    for p in perms
                ], dim=1)  # [B, N]
                sim = (cos * lam.view(1, -1).to(cos)).sum(1).mean()
                loss = loss + self.cos_sign * (1.0 - beta) * sim
        return early_grad(self.generator_weight * loss, leaf, masks), masks

    @torch.no_grad()
    def mix_preview(self, inputs: torch.Tensor, num_mix: Optional[int] = None):
        """Generator samples for visualisation: dict of ``mixed``
        ``[B, C, H, W]``, ``masks`` ``[B, N, H, W]``, ``sources``
        ``[B, N, C, H, W]`` and ``lam`` ``[N]`` (uses the current RNG)."""
        n = num_mix or self.mix_samples
        b = inputs.size(0)
        lam = sample_ratios(n, self.alpha, self.lam_sampler, inputs.device)
        perms = sample_partners(n, b, keep_first=n == 2, device=inputs.device)
        z = self.network('ema').backbone(inputs)[self.mix_stage]
        masks = self.generate_masks(z, perms, lam, inputs.shape[-2:])
        return dict(
            mixed=mix_with_masks(inputs, perms, masks),
            masks=masks,
            sources=gather_partners(inputs, perms),
            lam=lam)


def _check_number(key: str, value) -> None:
    """A real number (a string such as '0.5x' would fail deep inside)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f'AdAutoMix: {key} must be a number, got {value!r} '
                        f'({type(value).__name__})')


def _check_args(mix_samples, alpha, lam_sampler, lam_margin, lam_margin_mode,
                mixup_radio, beta_radio, cos_sign) -> None:
    if isinstance(mix_samples, bool) or not isinstance(mix_samples, int) \
            or mix_samples < 2:
        raise ValueError(f'mix_samples must be an int >= 2, got {mix_samples!r}')
    for key, value in (('alpha', alpha), ('lam_margin', lam_margin),
                       ('mixup_radio', mixup_radio), ('beta_radio', beta_radio),
                       ('cos_sign', cos_sign)):
        _check_number(key, value)
    if not float(alpha) > 0:
        raise ValueError(f'alpha must be > 0, got {alpha!r}')
    if lam_sampler not in LAM_SAMPLERS:
        raise ValueError(f'lam_sampler must be one of {LAM_SAMPLERS}, got '
                         f'{lam_sampler!r}')
    if not 0.0 <= lam_margin < 0.5:
        raise ValueError(f'lam_margin must be in [0, 0.5), got {lam_margin!r}')
    if lam_margin_mode not in MARGIN_MODES:
        raise ValueError(f'lam_margin_mode must be one of {MARGIN_MODES}, got '
                         f'{lam_margin_mode!r}')
    for key, value in (('mixup_radio', mixup_radio), ('beta_radio', beta_radio)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f'{key} must be in [0, 1], got {value!r}')
    if cos_sign not in (1, -1, 1.0, -1.0):
        raise ValueError(f'cos_sign must be +1 or -1, got {cos_sign!r}')
