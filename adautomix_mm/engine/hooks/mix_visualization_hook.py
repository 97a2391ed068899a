"""Periodic PNG grids of generated mixed samples and their masks."""
import os.path as osp
from typing import Optional

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from .runner_model import model_with


@HOOKS.register_module()
class MixedSampleVisualizationHook(Hook):
    """Every ``interval`` epochs (and after training), draw generator
    samples of a fixed training batch (the first one seen) and show the
    first ``num_images``, on the main process: one row per sample with its
    N source images (titled with their ratio lambda_i), their N masks (white
    = 1, titled with the share of pixels each takes) and the mixed image.

    The grid goes to the runner's visualizer (``add_image``, so every
    configured backend such as TensorBoard gets it) and to
    ``<work_dir>/mixed_samples/epoch_<e>.png``. The model must provide
    ``mix_preview(inputs)`` (e.g. AdAutoMix); nothing runs per iteration
    (the reference plotted on every N >= 3 iteration).

    The samples are drawn as training draws them: from the whole batch, with
    the model in train mode (the generator's features come from the
    teacher's train-mode forward, batch-statistics BN, as in ``loss()``;
    eval-mode features can give very different masks), and drawing changes
    no state: the model's buffers (BN running statistics), its mode and the
    RNG are restored.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 1, num_images: int = 8,
                 seed: Optional[int] = 0):
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval must be an int >= 1, got {interval!r}')
        if not isinstance(num_images, int) or num_images < 1:
            raise ValueError(f'num_images must be an int >= 1, got '
                             f'{num_images!r}')
        self.interval = interval
        self.num_images = num_images
        self.seed = seed
        self._batch = None
        self.last_path: Optional[str] = None

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if self._batch is None and data_batch is not None:
            inputs = data_batch['inputs']
            self._batch = dict(
                inputs=list(inputs) if isinstance(inputs, (list, tuple))
                else inputs.clone(),
                data_samples=list(data_batch['data_samples']))

    def after_train_epoch(self, runner) -> None:
        if self.every_n_epochs(runner, self.interval) or \
                self.is_last_train_epoch(runner):
            self.draw(runner, runner.epoch + 1)

    @torch.no_grad()
    def draw(self, runner, step: int) -> Optional[str]:
        if self._batch is None:
            return None
        model = model_with(runner.model, 'MixedSampleVisualizationHook',
                           ('mix_preview', ), 'AdAutoMix')
        data = model.data_preprocessor(self._batch, False)
        # Every rank runs the preview, the main one draws it: with SyncBN the
        # train-mode forward synchronises statistics across ranks, so one
        # rank alone would wait for the others forever.
        out = _preview_without_side_effects(model, data['inputs'], self.seed)
        if not is_main_process():
            return None
        shown = {k: out[k][:self.num_images]
                 for k in ('sources', 'masks', 'mixed')}
        lam = out['lam']  # [N] shared by the batch, or [B, N]
        shown['lam'] = lam if lam.dim() == 1 else lam[:self.num_images]
        image = self._grid(model.data_preprocessor, shown)
        runner.visualizer.add_image('mixed_samples', image, step=step)
        path = osp.join(runner.work_dir, 'mixed_samples', f'epoch_{step}.png')
        _write_png(path, image)
        self.last_path = path
        # 4 decimals: [N] shared ratios, or [B, N] per sample
        lam = [[round(u, 4) for u in v] if isinstance(v, list) else
               round(v, 4) for v in out['lam'].tolist()]
        runner.logger.info(f'Mixed samples (lam={lam}) saved to {path}')
        return path

    @staticmethod
    def _grid(preprocessor, out) -> np.ndarray:
        """RGB uint8 image: one row per sample, labelled columns (the N
        sources with their lambda, their masks with the pixel share each
        takes, the mixed image)."""
        sources, masks, mixed = out['sources'], out['masks'], out['mixed']
        b, n = masks.shape[:2]
        mean = getattr(preprocessor, 'mean', None)
        std = getattr(preprocessor, 'std', None)

        def to_pixels(x):  # [.., C, H, W] normalised -> [0, 1] RGB
            if mean is not None and std is not None:
                x = x * std.to(x) + mean.to(x)
                x = x / 255.0
            x = x.clamp(0, 1)
            return x.expand(*x.shape[:-3], 3, *x.shape[-2:]) \
                if x.shape[-3] == 1 else x

        tiles = torch.cat([
            to_pixels(sources),
            masks.unsqueeze(2).expand(b, n, 3, *masks.shape[-2:]).float(),
            to_pixels(mixed).unsqueeze(1)
        ], dim=1).cpu()  # [B, 2N + 1, 3, H, W]
        titles = grid_titles(out['lam'], masks)
        return _draw_labelled_grid(tiles.permute(0, 1, 3, 4, 2).numpy(),
                                   titles)


def grid_titles(lam: torch.Tensor, masks: torch.Tensor):
    """Column titles ``[B][2N + 1]`` of the grid: source i with its ratio
    lambda_i, mask i with its pixel share (mean of the mask; equal to
    lambda_i for linear mixup), and the mixed image."""
    b, n = masks.shape[:2]
    lam = torch.as_tensor(lam).detach().float().cpu()
    lam = lam.view(1, n).expand(b, n) if lam.dim() == 1 else lam
    share = masks.detach().float().flatten(2).mean(-1).cpu()
    return [[f'image {i + 1}\nλ={lam[r, i]:.2f}' for i in range(n)]
            + [f'mask {i + 1}\nshare={share[r, i]:.2f}' for i in range(n)]
            + ['mixed'] for r in range(b)]


def _draw_labelled_grid(tiles: np.ndarray, titles) -> np.ndarray:
    """Render tiles ``[rows, cols, H, W, 3]`` in [0, 1] with a title over
    every tile (matplotlib's Agg canvas; no pyplot state, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    rows, cols = tiles.shape[:2]
    side = 1.1  # inches per tile, titles included
    fig = Figure(figsize=(cols * side, rows * side * 1.25 + 0.5), dpi=80)
    FigureCanvasAgg(fig)
    fig.suptitle('N source images (λ = label weight), their '
                 'masks (white = 1, sum 1 per pixel), the mixed image',
                 fontsize=8)
    axes = fig.subplots(rows, cols, squeeze=False)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r][c]
            ax.imshow(tiles[r, c], vmin=0.0, vmax=1.0,
                      interpolation='nearest')
            ax.set_title(titles[r][c], fontsize=6, pad=2)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout(rect=(0, 0, 1, 0.97), pad=0.3)
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    return np.ascontiguousarray(rgba[..., :3])


def _preview_without_side_effects(model, inputs: torch.Tensor,
                                  seed: Optional[int]) -> dict:
    """``model.mix_preview(inputs)`` in train mode, then the model's buffers,
    its mode and the global RNG are put back as they were."""
    buffers = [(b, b.detach().clone()) for b in model.buffers()]
    was_training = model.training
    cuda = [inputs.device] if inputs.device.type == 'cuda' else []
    with torch.random.fork_rng(devices=cuda):
        if seed is not None:
            torch.manual_seed(seed)
        model.train()
        try:
            return model.mix_preview(inputs)
        finally:
            model.train(was_training)
            for buf, saved in buffers:
                buf.copy_(saved)


def _write_png(path: str, rgb: np.ndarray) -> None:
    import mmcv
    # mmcv writes BGR.
    mmcv.imwrite(np.ascontiguousarray(rgb[..., ::-1]), path, auto_mkdir=True)
