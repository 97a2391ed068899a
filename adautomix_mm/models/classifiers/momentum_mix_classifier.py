"""Shared machinery of learned mixers trained with an EMA teacher.

AdAutoMix and AutoMix both keep an online classifier (backbone, neck, one-hot
``head`` and optionally a separate ``mix_head`` for mixed samples) and a
frozen EMA copy of it, the *teacher*, which feeds the generator and is the
deployable model. This base class owns that pair; subclasses implement
``loss()``.
"""
import logging
from collections import OrderedDict
from types import SimpleNamespace
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils.mix_stage import first_batch_line, mix_stage_report
from ..utils.teacher_ema import TeacherEMA

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
    """Online classifier + EMA teacher, evaluated as both networks.

    Logged scalars: MMEngine's headline ``loss`` is the optimised sum of
    every ``loss*`` term, the generator's included (whose sign alternates
    in AdAutoMix). :meth:`parse_losses` adds, for the log only, ``loss_cls``
    (the sum of the subclass's :attr:`CLASSIFIER_LOSSES`, what trains the
    online network) and, when the generator has several terms,
    ``loss_mix_block`` (the sum of its :attr:`GENERATOR_LOSSES`).

    ``predict`` returns the ``predict_network``'s scores in ``pred_score``
    and always both networks' one-hot-head scores in ``pred_score_ema`` and
    ``pred_score_online``; with a separate ``mix_head`` also its scores in
    ``pred_score_ema_mix`` and ``pred_score_online_mix``: the reference's
    four evaluated heads (``acc_one_k``, ``acc_one_q``, ``acc_mix_k``,
    ``acc_mix_q``), read by :class:`NetworkAccuracy`.

    Args:
        mix_head (dict, optional): head for mixed samples (the reference's
            ``head_mix``); ``None`` shares ``head``.
        mix_stage (int): index of the backbone output that feeds the
            generator (the reference uses ``out_indices=(2, 3)`` and index 0).
        teacher_momentum (float): initial EMA momentum m (the hook schedules
            it during training).
        teacher_buffers (str): 'own' (reference), 'copy' or 'average'; see
            :class:`TeacherEMA`.
        predict_network (str): 'ema' (deployable teacher, default) or
            'online'.
    """

    #: loss keys of the online classifier / of the Mix Block (subclasses)
    CLASSIFIER_LOSSES: Tuple[str, ...] = ()
    GENERATOR_LOSSES: Tuple[str, ...] = ()
    #: logged-only sums added by :meth:`parse_losses` (NonFiniteLossHook
    #: names the terms before these)
    LOGGED_TOTALS = ('loss_cls', 'loss_mix_block')

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 mix_head: Optional[dict] = None,
                 mix_stage: int = 0,
                 teacher_momentum: float = 0.999,
                 teacher_buffers: str = 'own',
                 predict_network: str = 'ema',
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        name = type(self).__name__
        if train_cfg:
            raise ValueError(
                f'{name} generates its own mixed samples: remove '
                f'`train_cfg={train_cfg}` (batch augments such as Mixup/CutMix '
                'would mix the batch a second time before the algorithm).')
        if head is None:
            raise ValueError(f'{name} needs a classification `head`')
        if predict_network not in NETWORKS:
            raise ValueError(f'predict_network must be one of {NETWORKS}, got '
                             f'{predict_network!r}')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            train_cfg=None,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if getattr(self.data_preprocessor, 'batch_augments', None) is not None:
            raise ValueError(
                f'{name}: data_preprocessor.batch_augments must be None, the '
                'algorithm mixes the batch itself.')
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
        """Shape ``[C, h, w]`` of the mix-stage output for a probe input
        (64x64, or the input size declared by the backbone's patch embed)."""
        conv = next((m for m in self.backbone.modules()
                     if isinstance(m, nn.Conv2d)), None)
        if conv is None:
            raise ValueError(f'{type(self).__name__}: cannot find the input '
                             'channels of the backbone (no Conv2d layer)')
        probe = torch.zeros(1, conv.in_channels, *self._probe_size())
        was_training = self.backbone.training
        self.backbone.eval()
        with torch.no_grad():
            outs = self.backbone(probe)
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
        if 'gt_score' in data_samples[0]:
            return torch.stack([s.gt_score for s in data_samples]).float()
        num_classes = getattr(self.head, 'num_classes', None)
        if num_classes is None:
            raise ValueError(
                f'{type(self).__name__} needs `head.num_classes` (or one-hot '
                '`gt_score` from the data preprocessor) to mix labels')
        labels = torch.cat([s.gt_label for s in data_samples]).to(device)
        try:
            return F.one_hot(labels, num_classes).float()
        except RuntimeError:
            bad = labels[(labels < 0) | (labels >= num_classes)]
            if bad.numel() == 0:
                raise
            raise ValueError(
                f'label {int(bad[0])} is outside [0, {num_classes}) of '
                f'`head.num_classes={num_classes}` in {type(self).__name__}: '
                'set model.head.num_classes to the number of classes of the '
                'dataset (labels 0..K-1).') from None

    @staticmethod
    def head_loss(head: nn.Module, feats, targets: torch.Tensor) -> torch.Tensor:
        """The head's own loss module on (soft) targets ``[B, K]``, in fp32.

        Per-source weighted CE, :math:`\\sum_i \\lambda_i CE(p, y_i)` (the
        reference), equals soft-target CE with :math:`\\sum_i \\lambda_i y_i`.
        """
        logits = head(feats).float()
        return head.loss_module(logits, targets, avg_factor=logits.size(0))

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
