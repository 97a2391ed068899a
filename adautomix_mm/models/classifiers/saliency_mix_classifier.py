r"""A classifier that trains on batches mixed with its own saliency.

The whole step lives in ``loss()`` (reached through ``forward(mode='loss')``,
so the default ``MMDistributedDataParallel`` wrapper runs it inside one DDP
forward with one backward in ``update_params``):

1. one clean pass in the mixer's ``saliency_mode`` ('eval': BN running
   statistics and dropout frozen, as PuzzleMix with ``clean_lam = 0``;
   'train': BN statistics updated, as R-Mix / Co-Mixup), and the input
   gradient of its loss (:func:`input_saliency`, no parameter gradient);
2. ``mixer(inputs, targets, saliency, mean, std) -> (x_mix, y_mix)``;
3. the head's loss on the mixed batch with the soft targets ``y_mix``
   (``DataSample.gt_score``; use ``CrossEntropyLoss(use_soft=True)``);
4. with ``mixer.clean_lam > 0`` the clean loss of step 1 (the references'
   scaling :math:`2\,\lambda_{clean}\,CE / K`) is returned as ``loss_clean``
   beside the mixed loss ``loss_mix`` (logged ``loss`` = their sum), and so
   enters the same backward: the parameter gradient is the
   references' "clean backward, mixed backward, one step".

Optional mixer hooks (PuzzleMix's adversarial noise): ``saliency_inputs(
inputs, mean, std)`` returns the batch the saliency pass sees, and a mixer
with ``needs_input_grad = True`` also gets ``input_grad=dL/dx``.
"""
from typing import List, Optional

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import args
from ..utils.saliency import SALIENCY_MODES, input_saliency, module_mode
from ..utils.targets import onehot_targets, warn_unmixed_batch
from .self_mixing_checks import check_mixing_args, check_mixing_model

CLEAN_LOSS_SCALES = ('reference', 'soft_ce', 'unscaled')


@MODELS.register_module()
class SaliencyMixClassifier(ImageClassifier):
    """ImageClassifier + one saliency pass + a saliency-guided mixer.

    Args:
        mixer (dict): a registered mixer (``PuzzleMix``, ``RMix``,
            ``CoMixup``, ...) with ``saliency_mode``, ``clean_lam`` and
            ``__call__(inputs, targets, saliency, mean, std)``.
        clean_loss_scale (str): weight of a kept clean loss (``clean_lam >
            0``). 'reference': :math:`2 \\lambda_{clean} / K` as the official
            code, whose mixed loss is BCE on softmax outputs (a mean over the
            K classes, about soft CE / K); 'soft_ce': :math:`2
            \\lambda_{clean}`, the same clean:mixed balance for the soft-CE
            mixed loss of this classifier's head; 'unscaled':
            :math:`\\lambda_{clean}` (R-Mix's ImageNet code, ``clean_lam *
            CE`` beside a soft-CE mixed loss).
    """

    def __init__(self,
                 backbone: dict,
                 mixer: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 clean_loss_scale: str = 'reference',
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        name = type(self).__name__
        check_mixing_args(name, train_cfg, head, 'with its own saliency')
        args.choice(name, 'clean_loss_scale', clean_loss_scale,
                    CLEAN_LOSS_SCALES)
        if not isinstance(mixer, dict) or 'type' not in mixer:
            raise ValueError(f'{name}: `mixer` must be a config dict with a '
                             f'`type`, got {mixer!r}')
        super().__init__(
            backbone=backbone, neck=neck, head=head, pretrained=pretrained,
            train_cfg=None, data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        check_mixing_model(self, 'the mixer')
        # Not an nn.Module attribute: mixers hold no parameters.
        self.mixer = MODELS.build(mixer)
        mode = getattr(self.mixer, 'saliency_mode', None)
        if mode not in SALIENCY_MODES:
            raise ValueError(f'mixer {mixer["type"]}.saliency_mode must be '
                             f'one of {SALIENCY_MODES}, got {mode!r}')
        clean_lam = getattr(self.mixer, 'clean_lam', None)
        if not isinstance(clean_lam, (int, float)) or clean_lam < 0:
            raise ValueError(f'mixer {mixer["type"]}.clean_lam must be a '
                             f'number >= 0, got {clean_lam!r}')
        self.clean_loss_scale = clean_loss_scale

    # ------------------------------------------------------------ helpers
    def onehot_targets(self, data_samples: List[DataSample],
                       device) -> torch.Tensor:
        """``[B, K]`` float targets: given soft scores, or one-hot labels."""
        return onehot_targets(data_samples,
                              getattr(self.head, 'num_classes', None),
                              type(self).__name__, device)

    def pixel_stats(self, inputs: torch.Tensor):
        """The data preprocessor's ``mean``/``std`` as ``[C]`` (0-255 units;
        0 / 1 when it does not normalise)."""
        c = inputs.shape[1]
        pre = self.data_preprocessor
        if getattr(pre, '_enable_normalize', False):
            return pre.mean.view(-1).to(inputs), pre.std.view(-1).to(inputs)
        return inputs.new_zeros(c), inputs.new_ones(c)

    def clean_loss_weight(self, num_classes: int) -> float:
        lam = float(self.mixer.clean_lam)
        if lam == 0:
            return 1.0  # only the saliency's direction is used
        if self.clean_loss_scale == 'reference':
            return 2.0 * lam / num_classes
        if self.clean_loss_scale == 'unscaled':
            return lam
        return 2.0 * lam

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.extract_feat(x))

    # --------------------------------------------------------------- loss
    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample]):
        targets = self.onehot_targets(data_samples, inputs.device)
        warn_unmixed_batch(self, inputs.size(0), type(self.mixer).__name__)
        mean, std = self.pixel_stats(inputs)
        keep = float(self.mixer.clean_lam) > 0
        sal_inputs = inputs
        if hasattr(self.mixer, 'saliency_inputs'):
            sal_inputs = self.mixer.saliency_inputs(inputs, mean, std)
        with module_mode(self, self.mixer.saliency_mode == 'train'):
            saliency, grad, clean = input_saliency(
                self.logits, sal_inputs, targets,
                loss_weight=self.clean_loss_weight(targets.shape[1]),
                keep_loss=keep)
        extra = {}
        if getattr(self.mixer, 'needs_input_grad', False):
            extra['input_grad'] = grad
        with torch.no_grad():
            mixed, mixed_targets = self.mixer(inputs.detach(), targets,
                                              saliency, mean, std, **extra)
        for sample, score in zip(data_samples, mixed_targets):
            sample.set_gt_score(score)
        losses = self.head.loss(self.extract_feat(mixed), data_samples)
        if clean is not None:
            # The head names its loss 'loss', the key MMEngine's
            # parse_losses gives the total: renamed, so the logged `loss` is
            # the optimised total (mixed + clean) and not the mixed term.
            losses['loss_mix'] = losses.pop('loss')
            losses['loss_clean'] = clean
        return losses
