"""Shared machinery of learned mixers trained with an EMA teacher.

AdAutoMix and AutoMix both keep an online classifier (backbone, neck, one-hot
``head`` and optionally a separate ``mix_head`` for mixed samples), a frozen
EMA copy of it, the *teacher*, which feeds the generator (the Mix Block) and
is the deployable model, and a generator trained through the teacher's input
gradient. This base class owns the pair, the generator's shared steps and the
schedule state; subclasses implement ``loss()``.
"""
import logging
from collections import OrderedDict
from types import SimpleNamespace
from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import args
from ..utils.early_grad import early_grad, grad_leaf
from ..utils.mask_diagnostics import mask_diagnostics
from ..utils.mix_stage import (backbone_in_channels, check_input_channels,
                               data_channels, first_batch_line,
                               mix_stage_report)
from ..utils.mixing import (gather_partners, mix_with_masks, sample_partners,
                            sample_ratios)
from ..utils.targets import onehot_targets, warn_unmixed_batch
from ..utils.teacher_ema import TeacherEMA
from .self_mixing_checks import check_mixing_args, check_no_batch_augments

#: the two networks of a learned mixer: the EMA teacher and the online one
NETWORKS = ('ema', 'online')
ONLINE_PARTS = ('backbone.', 'neck.', 'head.', 'mix_head.')
NO_TEACHER_MESSAGE = (
    'The checkpoint has no EMA teacher weights (`teacher.module.*`): it is a '
    'single-network checkpoint (exported with tools/export_network.py, or '
    'from a plain ImageClassifier), so {name} cannot evaluate its teacher '
    '(accuracy_ema and the default prediction would be a copy of the '
    'online network, not a trained teacher). Evaluate an exported network '
    'with a plain ImageClassifier config that has the same backbone/neck/'
    'head, e.g. `python tools/test.py configs/baselines/vanilla/'
    'vanilla_resnet18-w16_1xb64-5e_fmnist-embedded.py teacher.pth` for the demo model; '
    'test a checkpoint written by {name} training with its own config.')
# Spatial size of the dummy input used to read the backbone's output shapes,
# unless the backbone declares its input size (ViT/Swin patch embeddings: a
# Swin window may not fit a smaller map).
_PROBE_SIZE = 64


class MomentumMixClassifier(ImageClassifier):
    r"""Online classifier + EMA teacher + a generator trained through the
    teacher, evaluated as both networks (base of :class:`AdAutoMix` and
    :class:`AutoMix`).

    Generator step shared by the subclasses: masks
    :math:`M = G(z[\pi], \lambda)` from the teacher's mix-stage features z
    (:meth:`generate_masks`), the mixed batch
    :math:`\tilde x = \sum_i M_i \odot x[\pi_i]`, and a loss on the frozen
    teacher's mix-head logits :math:`h^{mix}_k(f_k(\tilde x))` whose
    gradient reaches only the Mix Block, through the teacher's input gradient,
    taken as soon as the teacher pass ends (:meth:`teacher_mixed_loss`,
    :func:`~..utils.early_grad.early_grad`). A stopped generator gets a
    zero loss connected to every Mix Block parameter
    (:meth:`zero_generator_loss`, so DDP without
    ``find_unused_parameters`` sees them all used). A classifier ratio within
    ``lam_margin`` of 0 (:meth:`_margin_hit`) makes the classifier's masks
    constant (linear mixup).

    Schedule state (one protocol, driven by :class:`MomentumScheduleHook`
    before every iteration): :meth:`set_schedule_state` ``(generator_enabled,
    progress, adversarial)``; ``adversarial`` is ``None`` for models without
    AdAutoMix's game (:attr:`PLAYS_GAME` False). :meth:`loss` refuses to run
    before it is set (the hook also updates the teacher, the evaluated model).

    Logged scalars: MMEngine's headline ``loss`` is the optimised sum of
    every ``loss*`` term, the generator's included. :meth:`parse_losses`
    adds, for the log only, ``loss_cls`` (the sum of the subclass's
    :attr:`CLASSIFIER_LOSSES`) and, when the generator has several terms,
    ``loss_mix_block`` (the sum of its :attr:`GENERATOR_LOSSES`).

    ``predict`` returns the ``predict_network``'s scores in ``pred_score``
    and always both networks' one-hot-head scores in ``pred_score_ema`` and
    ``pred_score_online``; with a separate ``mix_head`` also
    ``pred_score_ema_mix`` and ``pred_score_online_mix`` (the reference's
    four evaluated heads, read by :class:`NetworkAccuracy`).

    Args:
        backbone, neck, head, data_preprocessor, init_cfg: as
            :class:`mmpretrain.models.ImageClassifier` (``head`` required).
        mix_head (dict, optional): head for mixed samples (the reference's
            ``head_mix``); ``None`` shares ``head``.
        mix_stage (int): index of the backbone output that feeds the
            generator (the reference: ``out_indices=(2, 3)`` and index 0).
        teacher_momentum (float): initial EMA momentum m in (0, 1) (0.999;
            the hook schedules it).
        teacher_buffers (str): 'own' (reference), 'copy' or 'average'; see
            :class:`TeacherEMA`.
        predict_network (str): 'ema' (the deployable teacher, default) or
            'online'.
        train_cfg: must be empty (batch augments would mix twice); refused
            with a message.
    """

    #: loss keys of the online classifier / of the Mix Block (subclasses)
    CLASSIFIER_LOSSES: Tuple[str, ...] = ()
    GENERATOR_LOSSES: Tuple[str, ...] = ()
    #: logged-only sums added by :meth:`parse_losses` (NonFiniteLossHook
    #: names the terms before these)
    LOGGED_TOTALS = ('loss_cls', 'loss_mix_block')
    #: whether the model plays AdAutoMix's adversarial game (needs the
    #: ``adversarial`` flag of the schedule state)
    PLAYS_GAME = False
    #: fixed number of images per mixed sample (None: ``mix_samples``)
    FIXED_MIX_SAMPLES: Optional[int] = None
    #: ratio sampler and margin mode of subclasses without the option
    lam_sampler = 'beta_normalized'
    lam_margin_mode = 'any'

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 mix_head: Optional[dict] = None,
                 mix_stage: int = 0,
                 teacher_momentum: float = 0.999,
                 teacher_buffers: str = 'own',
                 predict_network: str = 'ema',
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        name = type(self).__name__
        check_mixing_args(name, train_cfg, head,
                          'the batch with its generator')
        args.choice(name, 'predict_network', predict_network, NETWORKS)
        args.number(name, 'teacher_momentum', teacher_momentum, 0.0, 1.0,
                    low_open=True, high_open=True)
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=None,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        check_no_batch_augments(self, 'the algorithm')
        self.mix_head = MODELS.build(mix_head) if mix_head is not None else None
        self.predict_network = predict_network
        self.mix_stage = mix_stage
        self.mix_feat_shape = self._probe_mix_stage()
        self._log_mix_stage()
        self.teacher = TeacherEMA(
            self._online_modules(), teacher_momentum, teacher_buffers)
        # Set when a checkpoint without teacher weights was loaded and the
        # teacher was copied from it; cleared by the first EMA update.
        self._teacher_copied_from_online = False
        self._register_load_state_dict_pre_hook(self._teacher_from_online)
        # Schedule state (None: never set, i.e. the schedule hook is missing).
        self.generator_enabled: Optional[bool] = None
        self.adversarial: Optional[bool] = None
        self.progress = 0.0

    # -------------------------------------------------------- schedule state
    def set_schedule_state(self, generator_enabled: bool, progress: float,
                           adversarial: Optional[bool] = None) -> None:
        """Called by :class:`MomentumScheduleHook` before every iteration:
        does the generator train, the progress t/T, and (AdAutoMix's game
        only) the phase."""
        if adversarial is not None and not self.PLAYS_GAME:
            raise ValueError(f'{type(self).__name__} has no adversarial game '
                             f'(got adversarial={adversarial!r})')
        self.generator_enabled = bool(generator_enabled)
        self.progress = float(progress)
        self.adversarial = None if adversarial is None else bool(adversarial)

    def check_schedule_state(self) -> None:
        if self.generator_enabled is None or (self.PLAYS_GAME and
                                              self.adversarial is None):
            hook = 'AdversarialOptimizerHook' if self.PLAYS_GAME \
                else 'MomentumScheduleHook'
            raise RuntimeError(
                f'{type(self).__name__} has no schedule state: add '
                f"dict(type='{hook}') to `custom_hooks`. It sets the "
                'generator\'s state before every iteration and updates the '
                'EMA teacher after every optimizer step; without it the '
                'teacher (the evaluated model and the generator\'s critic) '
                'would never be updated.')

    # ----------------------------------------------------- checkpoint loading
    def _teacher_from_online(self, state_dict, prefix, local_metadata,
                             strict, missing_keys, unexpected_keys,
                             error_msgs) -> None:
        """Loading a single-network checkpoint (``load_from``/``init_cfg``
        of a plain ``ImageClassifier``, e.g. ImageNet weights): the teacher
        becomes a copy of the loaded online network, as the reference starts
        the teacher as a copy of the online network."""
        teacher = prefix + 'teacher.module.'
        if any(k.startswith(teacher) for k in state_dict):
            return
        online = [k for k in state_dict if k.startswith(prefix) and
                  k[len(prefix):].startswith(ONLINE_PARTS)]
        if not any(k[len(prefix):].startswith('backbone.') for k in online):
            return  # not a classifier checkpoint (e.g. other parts only)
        for key in online:
            state_dict[teacher + key[len(prefix):]] = state_dict[key]
        self._teacher_copied_from_online = True
        print_log(
            f'{type(self).__name__}: the loaded checkpoint has no EMA teacher '
            '(`teacher.module.*`); the teacher starts as a copy of the loaded '
            'online network.', logger='current', level=logging.WARNING)

    # ------------------------------------------------------------- networks
    def _online_modules(self) -> nn.ModuleDict:
        """The online network as a (non-registered) ModuleDict."""
        parts = dict(backbone=self.backbone, head=self.head)
        if self.neck is not None:
            parts['neck'] = self.neck
        if self.mix_head is not None:
            parts['mix_head'] = self.mix_head
        return nn.ModuleDict(parts)

    def network(self, name: str) -> SimpleNamespace:
        """``backbone``/``neck``/``head``/``mix_head`` of 'online' or 'ema'."""
        if name not in NETWORKS:
            raise ValueError(f'network must be one of {NETWORKS}, got {name!r}')
        parts = self._online_modules() if name == 'online' \
            else self.teacher.module
        get = parts.__getitem__
        return SimpleNamespace(
            backbone=get('backbone'),
            neck=get('neck') if 'neck' in parts else None,
            head=get('head'),
            mix_head=get('mix_head') if 'mix_head' in parts else get('head'))

    @staticmethod
    def neck_feats(net: SimpleNamespace, backbone_out: Tuple[torch.Tensor]):
        return net.neck(backbone_out) if net.neck is not None else backbone_out

    def init_weights(self) -> None:
        super().init_weights()
        # The teacher starts as an exact copy of the initialised (or
        # pretrained) online network.
        self.teacher.reset_from(self._online_modules())

    @torch.no_grad()
    def update_teacher(self, momentum: float) -> None:
        r""":math:`\theta_k \leftarrow m\,\theta_k + (1 - m)\,\theta_q`."""
        self.teacher.set_teacher_momentum(momentum)
        self.teacher.update_parameters(self._online_modules())
        self._teacher_copied_from_online = False

    # --------------------------------------------------------------- probing
    def build_mix_block(self, cfg: dict) -> nn.Module:
        """The generator from ``cfg``, its ``in_channels`` inferred from the
        mix-stage features unless given."""
        cfg = dict(cfg)
        if cfg.get('in_channels') is None:
            cfg['in_channels'] = int(self.mix_feat_shape[0])
        return MODELS.build(cfg)

    def _probe_size(self) -> Tuple[int, int]:
        size = getattr(getattr(self.backbone, 'patch_embed', None),
                       'init_input_size', None) or (_PROBE_SIZE, _PROBE_SIZE)
        return tuple(size)

    def _probe_mix_stage(self) -> torch.Size:
        """Shape ``[C, h, w]`` of the mix-stage output for a probe input with
        the data's channels (the data preprocessor's mean/std; else the
        backbone's first convolution) at 64x64 or the input size declared
        by the backbone's patch embed. Refuses, in one line, a backbone whose
        input channels differ from the data's."""
        name = type(self).__name__
        channels = data_channels(self.data_preprocessor)
        if channels is not None:
            check_input_channels(
                name, self.backbone, channels,
                'data_preprocessor.mean/std normalise')
        else:
            channels = backbone_in_channels(self.backbone)
        if channels is None:
            raise ValueError(f'{name}: cannot find the input channels of the '
                             'backbone (no convolution) nor of the data '
                             '(data_preprocessor without mean/std)')
        probe = torch.zeros(1, channels, *self._probe_size())
        was_training = self.backbone.training
        self.backbone.eval()
        try:
            with torch.no_grad():
                outs = self.backbone(probe)
        except RuntimeError as err:
            first = str(err).strip().splitlines()[0] if str(err) else ''
            raise ValueError(
                f'{name}: backbone {type(self.backbone).__name__} fails on a '
                f'{tuple(probe.shape)} probe input at build time: '
                f'{first}') from None
        finally:
            self.backbone.train(was_training)
        if not isinstance(outs, (tuple, list)):
            outs = (outs, )
        if not -len(outs) <= self.mix_stage < len(outs):
            raise ValueError(
                f'mix_stage={self.mix_stage} but the backbone returns '
                f'{len(outs)} output(s); add the mix stage to the backbone\'s '
                '`out_indices` (the reference uses out_indices=(2, 3)).')
        feat = outs[self.mix_stage]
        if not torch.is_tensor(feat) or feat.dim() != 4:
            shape = tuple(feat.shape) if torch.is_tensor(feat) else type(feat)
            raise ValueError(
                f'backbone output {self.mix_stage} of '
                f'{type(self.backbone).__name__} is {shape}, but the mix block '
                f'needs a spatial map [B, C, h, w]. {_spatial_hint(self.backbone)}')
        return feat.shape[1:]

    def _log_mix_stage(self) -> None:
        """Log once (at build) which backbone stage feeds the Mix Block;
        warn when it is not the reference's (the penultimate stage)."""
        info, warning = mix_stage_report(
            type(self).__name__, self.backbone, self.mix_stage,
            self.mix_feat_shape, self._probe_size())
        print_log(info, logger='current', level=logging.INFO)
        if warning is not None:
            print_log(warning, logger='current', level=logging.WARNING)
        self._first_batch_logged = False

    def teacher_features(self, teacher: SimpleNamespace,
                         inputs: torch.Tensor):
        """The teacher backbone's outputs on the clean batch; on the first
        batch, a backbone that cannot take the data is refused in one line
        naming the backbone and the input shape. A one-image batch (nothing
        to mix with) is warned about once."""
        warn_unmixed_batch(self, inputs.size(0), type(self).__name__)
        if self._first_batch_logged:
            return teacher.backbone(inputs)
        name = type(self).__name__
        check_input_channels(name, self.backbone, inputs.size(1),
                             'the training batches have')
        try:
            return teacher.backbone(inputs)
        except RuntimeError as err:
            first = str(err).strip().splitlines()[0] if str(err) else ''
            raise ValueError(
                f'{name}: backbone {type(self.backbone).__name__} fails on the '
                f'first training batch {tuple(inputs.shape)}: {first}') \
                from None

    def log_first_batch(self, inputs: torch.Tensor,
                        feats: torch.Tensor) -> None:
        """Log the real Mix Block input size once, on the first batch."""
        if self._first_batch_logged:
            return
        self._first_batch_logged = True
        print_log(first_batch_line(type(self).__name__, inputs.shape,
                                   feats.shape),
                  logger='current', level=logging.INFO)

    # -------------------------------------------------------------- logging
    def parse_losses(self, losses: Dict[str, torch.Tensor]):
        """MMEngine's sum of the ``loss*`` terms, plus the logged-only
        totals ``loss_cls`` / ``loss_mix_block`` right after ``loss`` (added
        after the sum, so they are not optimised twice)."""
        loss, log_vars = super().parse_losses(losses)
        totals = [('loss_cls', self.CLASSIFIER_LOSSES)]
        if len(self.GENERATOR_LOSSES) > 1:
            totals.append(('loss_mix_block', self.GENERATOR_LOSSES))
        items = list(log_vars.items())
        extra = [(name, sum(log_vars[k] for k in keys
                            if k in log_vars).detach())
                 for name, keys in totals if any(k in log_vars for k in keys)]
        return loss, OrderedDict(items[:1] + extra + items[1:])

    # --------------------------------------------------------------- targets
    def onehot_targets(self, data_samples: List[DataSample],
                       device) -> torch.Tensor:
        """``[B, K]`` float targets: given soft scores, or one-hot labels."""
        return onehot_targets(data_samples,
                              getattr(self.head, 'num_classes', None),
                              type(self).__name__, device)

    def online_loss(self, online: SimpleNamespace, head: nn.Module,
                    inputs: torch.Tensor, targets: torch.Tensor):
        """``head``'s loss on the online network's features of ``inputs``."""
        return self.head_loss(
            head, self.neck_feats(online, online.backbone(inputs)), targets)

    @staticmethod
    def head_loss(head: nn.Module, feats, targets: torch.Tensor) -> torch.Tensor:
        """The head's own loss module on (soft) targets ``[B, K]``, in fp32.

        Per-source weighted CE, :math:`\\sum_i \\lambda_i CE(p, y_i)` (the
        reference), equals soft-target CE with :math:`\\sum_i \\lambda_i y_i`.
        """
        logits = head(feats).float()
        return head.loss_module(logits, targets, avg_factor=logits.size(0))

    # ------------------------------------------------------------ generator
    def generate_masks(self, z: torch.Tensor, perms: torch.Tensor,
                       lam: torch.Tensor, size) -> torch.Tensor:
        """``[B, N, H, W]`` masks for partners ``perms`` (``[N, B]``)."""
        return self.mix_block(gather_partners(z, perms), lam, size)

    def _margin_hit(self, lam: torch.Tensor) -> bool:
        """Is a classifier ratio extreme (-> constant, i.e. linear, masks)?
        'any': :math:`\\min_i \\lambda_i \\le` margin; 'first': only
        :math:`\\lambda_1` (or :math:`1 - \\lambda_1`)."""
        m = self.lam_margin
        if self.lam_margin_mode == 'first':
            first = float(lam[0])
            return first <= m or 1.0 - first <= m
        return bool((lam <= m).any())

    def zero_generator_loss(self) -> torch.Tensor:
        """Zero-valued but connected to every Mix Block parameter, so DDP
        (``find_unused_parameters=False``) sees them all used."""
        return sum(p.sum() for p in self.mix_block.parameters()) * 0.0

    def teacher_mixed_loss(
            self, x: torch.Tensor, perms: torch.Tensor, masks: torch.Tensor,
            teacher: SimpleNamespace,
            loss_fn: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """``loss_fn`` of the frozen teacher's mix-head logits (fp32) on
        :math:`\\tilde x = \\sum_i M_i \\odot x[\\pi_i]`. The teacher
        has ``requires_grad=False``: the gradient reaches only ``masks``
        (the Mix Block), through the teacher's input gradient, which is
        taken here (:func:`early_grad`: same gradients, the teacher's
        activations freed before the online passes)."""
        leaf = grad_leaf(masks)
        x_mix = mix_with_masks(x, perms, leaf)
        logits = teacher.mix_head(
            self.neck_feats(teacher, teacher.backbone(x_mix))).float()
        return early_grad(loss_fn(logits), leaf, masks)

    @staticmethod
    def mask_logs(masks_g: Optional[torch.Tensor], lam_g: torch.Tensor,
                  masks_c: torch.Tensor, lam_c: torch.Tensor,
                  fallback: bool) -> Dict[str, torch.Tensor]:
        """Non-loss scalars (logged, not summed): the diagnostics of the
        generator's own masks when it ran (they exist even when the
        classifier fell back to constant masks), the classifier's
        otherwise."""
        if masks_g is not None:
            return mask_diagnostics(masks_g, lam_g, fallback)
        return mask_diagnostics(masks_c, lam_c, fallback)

    @torch.no_grad()
    def mix_preview(self, inputs: torch.Tensor, num_mix: Optional[int] = None):
        """Generator samples for visualisation: dict of ``mixed``
        ``[B, C, H, W]``, ``masks`` ``[B, N, H, W]``, ``sources``
        ``[B, N, C, H, W]`` and ``lam`` ``[N]`` (uses the current RNG)."""
        fixed = self.FIXED_MIX_SAMPLES
        if fixed is not None and num_mix not in (None, fixed):
            raise ValueError(f'{type(self).__name__} mixes {fixed} images, '
                             f'got num_mix={num_mix}')
        n = num_mix or fixed or self.mix_samples
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

    # ------------------------------------------------------------- inference
    def extract_feat(self, inputs: torch.Tensor, stage: str = 'neck'):
        """Features of the ``predict_network`` (the deployed model)."""
        if stage not in ('backbone', 'neck', 'pre_logits'):
            raise ValueError(f'Invalid output stage {stage!r}')
        net = self.network(self.predict_network)
        x = net.backbone(inputs)
        if stage == 'backbone':
            return x
        x = self.neck_feats(net, x)
        return x if stage == 'neck' else net.head.pre_logits(x)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'tensor':
            net = self.network(self.predict_network)
            return net.head(self.extract_feat(inputs))
        return super().forward(inputs, data_samples, mode)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        if kwargs:
            raise TypeError(f'{type(self).__name__}.predict got unexpected '
                            f'arguments {sorted(kwargs)}')
        if self._teacher_copied_from_online:
            raise RuntimeError(NO_TEACHER_MESSAGE.format(
                name=type(self).__name__))
        scores = {}
        for name in NETWORKS:
            net = self.network(name)
            feats = self.neck_feats(net, net.backbone(inputs))
            scores[name] = F.softmax(net.head(feats).float(), dim=1)
            if self.mix_head is not None:  # one linear layer more
                scores[f'{name}_mix'] = F.softmax(
                    net.mix_head(feats).float(), dim=1)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(inputs.size(0))]
        main = scores[self.predict_network]
        labels = main.argmax(dim=1, keepdim=True)
        for i, sample in enumerate(data_samples):
            sample.set_pred_score(main[i]).set_pred_label(labels[i])
            for name, score in scores.items():
                sample.set_field(score[i], f'pred_score_{name}',
                                 field_type='data')
        return data_samples


def _spatial_hint(backbone: nn.Module) -> str:
    if hasattr(backbone, 'gap_before_final_norm'):
        return 'Set `gap_before_final_norm=False` in the backbone config.'
    if hasattr(backbone, 'out_type'):
        return "Set `out_type='featmap'` in the backbone config."
    return ('Choose a backbone output that is a feature map via `mix_stage` '
            'and the backbone\'s `out_indices`.')
