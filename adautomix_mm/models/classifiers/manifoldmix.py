r"""Manifold Mixup (Verma et al., ICML 2019, arXiv 1806.05236).

Per training step, with one permutation :math:`\pi` of the batch and one
:math:`\lambda \sim Beta(\alpha, \alpha)`:

1. draw a layer :math:`k` uniformly from ``layers``;
2. run the backbone; the hidden state after layer k becomes
   :math:`\tilde h = \lambda h + (1 - \lambda) h_\pi` and the forward goes on
   from :math:`\tilde h` (k = 0 mixes the input images, k >= 1 the output of
   the backbone's k-th residual stage, ``backbone.res_layers[k - 1]``);
3. the head's loss with the soft targets
   :math:`\tilde y = \lambda y + (1 - \lambda) y_\pi`.

Layer numbering and the default ``layers=(0, 1, 2)`` follow OpenMixup
(``openmixup/models/backbones/resnet_mmcls.py`` ``ResNet_Mix_CIFAR.forward``:
``mix_layer == 0`` mixes the input, ``i + 1 == mix_layer`` the output of
stage i; its configs set ``manifoldmix=dict(layer=(0, 3))``, a draw from
{0, 1, 2}), as the PuzzleMix repository's ``models/preresnet.py``
(``k = random.randint(0, 2)``).

OpenMixup re-implements the backbone forward (``ResNet_Mix_CIFAR``) to reach
the stages. Here MMPretrain's own ResNet-family backbones run unchanged: a
forward hook on the chosen stage replaces its output for this one forward
(``torch.nn.Module.register_forward_hook``, removed right after), so any
backbone whose forward chains the modules named in ``res_layers`` (ResNet,
ResNetV1c/d, ResNet_CIFAR, ResNeXt, the plugin's ResNeXt_CIFAR, ...) fits.
Swin/ConvNeXt/ViT backbones have no ``res_layers`` and are refused at build.
"""
from typing import List, Optional, Sequence

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import args
from ..utils.mixing import mix_linear, sample_partners, sample_ratios
from ..utils.targets import onehot_targets, warn_unmixed_batch
from .self_mixing_checks import check_mixing_args, check_mixing_model


@MODELS.register_module()
class ManifoldMixClassifier(ImageClassifier):
    """ImageClassifier that mixes hidden states of a random backbone stage.

    Args:
        alpha (float): :math:`\\lambda \\sim Beta(\\alpha, \\alpha)`
            (OpenMixup tables: 2 on CIFAR-100, 0.2 on Tiny-ImageNet and
            ImageNet, 0.5 on CUB-200 / FGVC-Aircraft).
        layers (Sequence[int]): the layers k drawn from uniformly: 0 = the
            input images, k >= 1 = the output of ``backbone.res_layers[k-1]``.
            Default (0, 1, 2) as OpenMixup / PuzzleMix.

    The other arguments are ImageClassifier's; ``train_cfg`` (batch
    augments) is refused, the head needs soft targets
    (``CrossEntropyLoss(use_soft=True)``) and ``cal_acc=False``.
    """

    def __init__(self,
                 backbone: dict,
                 alpha: float = 2.0,
                 layers: Sequence[int] = (0, 1, 2),
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        name = type(self).__name__
        check_mixing_args(name, train_cfg, head, 'hidden states itself')
        args.number(name, 'alpha', alpha, 0.0, low_open=True)
        super().__init__(
            backbone=backbone, neck=neck, head=head, pretrained=pretrained,
            train_cfg=None, data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        check_mixing_model(self, 'the classifier')
        self.alpha = float(alpha)
        self.stage_names = self._stage_names()
        self.layers = self._check_layers(layers)

    # ------------------------------------------------------------- build
    def _stage_names(self) -> List[str]:
        """``backbone.res_layers`` (names of stage modules), checked."""
        kind = type(self.backbone).__name__
        names = getattr(self.backbone, 'res_layers', None)
        if not names or not all(
                isinstance(n, str) and isinstance(
                    getattr(self.backbone, n, None), torch.nn.Module)
                for n in names):
            raise ValueError(
                f'{type(self).__name__} mixes the outputs of the stages a '
                f'ResNet-family backbone lists in `res_layers` (ResNet, '
                f'ResNet_CIFAR, ResNeXt, ResNeXt_CIFAR, ...); backbone '
                f'{kind} has no such stages, so ManifoldMix cannot be '
                'applied to it')
        return list(names)

    def _check_layers(self, layers) -> tuple:
        name = type(self).__name__
        out_indices = getattr(self.backbone, 'out_indices', None)
        # Stages after the last returned one do not reach the head.
        top = max(out_indices) + 1 if out_indices else len(self.stage_names)
        if isinstance(layers, int) or not layers or any(
                isinstance(k, bool) or not isinstance(k, int)
                or not 0 <= k <= top for k in layers) or len(set(
                    layers)) != len(layers):
            raise ValueError(
                f'{name}: layers must be distinct ints in [0, {top}] (0 = '
                f'input, k = output of {type(self.backbone).__name__}.'
                f'res_layers[k-1], up to the last stage in out_indices='
                f'{out_indices}), got layers={layers!r}')
        return tuple(layers)

    # -------------------------------------------------------------- step
    def sample_mixing(self, batch_size: int, device=None):
        r"""``(k, ratios [λ, 1-λ], perms [[0..B-1], π])`` for one step."""
        k = self.layers[int(torch.randint(len(self.layers), ()))]
        ratios = sample_ratios(2, self.alpha, 'beta_normalized', device)
        perms = sample_partners(2, batch_size, keep_first=True, device=device)
        return k, ratios, perms

    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample]):
        targets = onehot_targets(data_samples,
                                 getattr(self.head, 'num_classes', None),
                                 type(self).__name__, inputs.device)
        warn_unmixed_batch(self, inputs.size(0), type(self).__name__)
        k, ratios, perms = self.sample_mixing(inputs.shape[0], inputs.device)

        def mix(x: torch.Tensor) -> torch.Tensor:
            return mix_linear(x, perms.to(x.device), ratios.to(x.device))

        if k == 0:
            feats = self.extract_feat(mix(inputs))
        else:
            stage = getattr(self.backbone, self.stage_names[k - 1])

            def replace_output(module, args, output):
                if not isinstance(output, torch.Tensor):
                    raise TypeError(
                        f'{type(self).__name__}: stage {k} of '
                        f'{type(self.backbone).__name__} returned '
                        f'{type(output).__name__}, not a tensor to mix')
                return mix(output)

            handle = stage.register_forward_hook(replace_output)
            try:
                feats = self.extract_feat(inputs)
            finally:
                handle.remove()
        for sample, score in zip(data_samples, mix(targets.to(inputs.device))):
            sample.set_gt_score(score)
        return self.head.loss(feats, data_samples)
