"""Periodic PNG grids of generated mixed samples and their masks."""
import os.path as osp
import textwrap
from typing import List, Optional, Sequence

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
    first ``num_images``, on the main process: one row per sample; columns:
    its N source images (titled with their label weight lambda_i), their N
    masks (white = 1, titled with the share of the pixels each gives) and
    the mixed image. A caption over the grid says what it shows and what
    was measured on the whole preview batch: the masks' mean spatial range
    (max - min over an image; below ``uniform_range`` the caption says the
    masks are nearly uniform, i.e. a linear mix) and the mean
    |share - lambda| (the labels are mixed with lambda, the pixels with the
    shares).

    ``seed`` fixes the preview's draws (partners, lambda): every epoch shows
    the same batch, partners and lambda, so epochs compare (lambda is one
    draw per batch in AdAutoMix, as in training: every row shows the same
    lambda). ``seed=None`` draws anew each time.

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
                 seed: Optional[int] = 0, uniform_range: float = 0.1):
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval must be an int >= 1, got {interval!r}')
        if not isinstance(num_images, int) or num_images < 1:
            raise ValueError(f'num_images must be an int >= 1, got '
                             f'{num_images!r}')
        if isinstance(uniform_range, bool) or not isinstance(
                uniform_range, (int, float)) or not 0 <= uniform_range <= 1:
            raise ValueError('uniform_range must be a number in [0, 1], got '
                             f'{uniform_range!r}')
        self.interval = interval
        self.num_images = num_images
        self.seed = seed
        self.uniform_range = float(uniform_range)
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
        stats = mask_statistics(out['lam'], out['masks'])
        shown['caption'] = grid_caption(
            stats, self.uniform_range, self.seed, shared_lam=lam.dim() == 1,
            why=UNIFORM_MASKS_WRITE_UP.get(type(model).__name__))
        image = self._grid(model.data_preprocessor, shown)
        runner.visualizer.add_image('mixed_samples', image, step=step)
        path = osp.join(runner.work_dir, 'mixed_samples', f'epoch_{step}.png')
        _write_png(path, image)
        self.last_path = path
        # 4 decimals: [N] shared ratios, or [B, N] per sample
        lam = [[round(u, 4) for u in v] if isinstance(v, list) else
               round(v, 4) for v in out['lam'].tolist()]
        flat = (' (nearly uniform masks)'
                if stats['spatial_range'] < self.uniform_range else '')
        runner.logger.info(
            f'Mixed samples (lam={lam}; mask spatial range '
            f'{stats["spatial_range"]:.3f}{flat}, mean |share - lam| '
            f'{stats["share_err"]:.2f}) saved to {path}')
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
                                   titles, out.get('caption', ()))


def grid_titles(lam: torch.Tensor, masks: torch.Tensor):
    """Column titles ``[B][2N + 1]`` of the grid: source i with its ratio
    lambda_i, mask i with its pixel share (mean of the mask; equal to
    lambda_i for linear mixup), and the mixed image."""
    b, n = masks.shape[:2]
    lam = _per_sample(lam, b, n)
    share = masks.detach().float().flatten(2).mean(-1).cpu()
    return [[f'image {i + 1}\nλ={lam[r, i]:.2f}' for i in range(n)]
            + [f'mask {i + 1}\nshare={share[r, i]:.2f}' for i in range(n)]
            + ['mixed'] for r in range(b)]


def _per_sample(lam, b: int, n: int) -> torch.Tensor:
    lam = torch.as_tensor(lam).detach().float().cpu()
    return lam.view(1, n).expand(b, n) if lam.dim() == 1 else lam


def mask_statistics(lam: torch.Tensor, masks: torch.Tensor) -> dict:
    """Of masks ``[B, N, H, W]``: ``spatial_range``, the mean over samples
    and images of max_p M_i(p) - min_p M_i(p) (0: constant masks, a linear
    mix), and ``share_err``, the mean |mean_p M_i(p) - lambda_i|."""
    b, n = masks.shape[:2]
    flat = masks.detach().float().flatten(2).cpu()
    spatial = (flat.amax(-1) - flat.amin(-1)).mean()
    share_err = (flat.mean(-1) - _per_sample(lam, b, n)).abs().mean()
    return dict(spatial_range=float(spatial), share_err=float(share_err))


# Where the docs explain a model's nearly uniform masks on a short budget.
UNIFORM_MASKS_WRITE_UP = {
    'AdAutoMix': 'docs/adautomix_generator_investigation.md',
}


def grid_caption(stats: dict, uniform_range: float, seed: Optional[int],
                 shared_lam: bool, why: Optional[str] = None) -> List[str]:
    """The grid's caption: what the tiles are, why lambda repeats, and what
    the masks' statistics (:func:`mask_statistics`) say, with a pointer to
    the write-up ``why`` when the masks are nearly uniform."""
    lines = ['Rows: mixed samples. Columns: the source images (λ = label '
             'weight of each), their masks (white = 1; share = fraction of '
             'the mixed pixels each image gives), the mixed image.']
    repeat = ('the same batch, partners and λ every epoch (seed '
              f'{seed}), so epochs compare' if seed is not None else
              'a new draw each epoch (seed=None)')
    lines.append(('λ: one draw for the whole batch as in training, so '
                  'every row repeats it; ' if shared_lam else
                  'λ: drawn per sample; ') + repeat + '.')
    if stats['spatial_range'] < uniform_range:
        lines.append(
            'Masks nearly uniform at this budget (mean max − min over an '
            f'image {stats["spatial_range"]:.3f} < {uniform_range:g}): a '
            'linear mix, no spatial layout learned yet' +
            (f'; why: {why}.' if why else '.'))
    else:
        lines.append('Masks vary over the image (mean max − min '
                     f'{stats["spatial_range"]:.3f} ≥ {uniform_range:g}).')
    lines.append('Labels are mixed with λ, pixels with the shares: mean '
                 f'|share − λ| = {stats["share_err"]:.2f}.')
    return lines


def _draw_labelled_grid(tiles: np.ndarray, titles,
                        caption: Sequence[str] = ()) -> np.ndarray:
    """Render tiles ``[rows, cols, H, W, 3]`` in [0, 1] with a title over
    every tile and the caption lines (wrapped to the width) above the grid
    (matplotlib's Agg canvas; no pyplot state, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    rows, cols = tiles.shape[:2]
    side = 1.1  # inches per tile, titles included
    width = cols * side
    # about 0.55 em per character at 7 pt
    chars = max(40, int(width * 72 / (0.55 * 7)))
    text = [w for line in caption for w in textwrap.wrap(line, chars)]
    head = 0.35 + 0.13 * len(text)  # inches above the tiles
    height = rows * side * 1.25 + head
    fig = Figure(figsize=(width, height), dpi=80)
    FigureCanvasAgg(fig)
    fig.text(0.01, 1 - 0.1 / height, '\n'.join(text), fontsize=7,
             va='top', ha='left')
    axes = fig.subplots(rows, cols, squeeze=False)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r][c]
            ax.imshow(tiles[r, c], vmin=0.0, vmax=1.0,
                      interpolation='nearest')
            ax.set_title(titles[r][c], fontsize=6, pad=2)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout(rect=(0, 0, 1, 1 - (head - 0.1) / height), pad=0.3)
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
    # mmcv writes BGR; MMEngine's file backend makes the folder (mmcv's
    # auto_mkdir argument only adds a deprecation warning).
    mmcv.imwrite(np.ascontiguousarray(rgb[..., ::-1]), path)
