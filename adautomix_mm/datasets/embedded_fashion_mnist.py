"""A small, genuine Fashion-MNIST subset shipped inside the package.

4,000 training images (400 per class, official train split) and 1,000 test
images (100 per class, official test split) stored as gzip IDX files in
``adautomix_mm/datasets/embedded/``. See the README there for how the subset
was chosen and ``tools/make_embedded_subset.py`` to rebuild it. Nothing is
ever downloaded.
"""
import os.path as osp
import warnings
from typing import List, Optional, Sequence, Union

import numpy as np
from mmpretrain.datasets import BaseDataset, FashionMNIST
from mmpretrain.datasets.mnist import read_sn3_pascalvincent_tensor
from mmpretrain.registry import DATASETS

EMBEDDED_ROOT = osp.join(osp.dirname(osp.abspath(__file__)), 'embedded')

# split -> (images file, labels file, images per class)
EMBEDDED_FILES = {
    'train': ('fashion-mnist-train4k-images-idx3-ubyte.gz',
              'fashion-mnist-train4k-labels-idx1-ubyte.gz', 400),
    'test': ('fashion-mnist-test1k-images-idx3-ubyte.gz',
             'fashion-mnist-test1k-labels-idx1-ubyte.gz', 100),
}


def read_idx(path: str, ndim: int) -> np.ndarray:
    """Read a uint8 IDX file (plain or ``.gz``) with mmpretrain's reader.

    ``mmpretrain.datasets.mnist.read_image_file`` opens the path itself and so
    cannot read ``.gz``; the underlying SN3 reader decompresses by suffix.
    """
    with warnings.catch_warnings():
        # The reader wraps a read-only buffer; we copy it right away.
        warnings.filterwarnings('ignore', message='The given NumPy array')
        array = read_sn3_pascalvincent_tensor(path, strict=True).numpy()
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise ValueError(f'{path}: expected a {ndim}-D uint8 IDX file, got '
                         f'{array.ndim}-D {array.dtype}')
    return array.copy()


@DATASETS.register_module()
class EmbeddedFashionMNIST(BaseDataset):
    """Class-balanced Fashion-MNIST subset bundled with adautomix_mm.

    Items are ``{'img': uint8 array (28, 28), 'gt_label': int64}`` like
    mmpretrain's :class:`FashionMNIST`, with the same class names.

    Args:
        split (str): ``'train'`` (4,000 images) or ``'test'`` (1,000 images).
        data_root (str): Folder holding the embedded gzip IDX files. Defaults
            to the copy inside the package.
        pipeline (Sequence): Transforms applied to each item.
        test_mode (bool): Raise on a failing item instead of re-sampling.
        metainfo, indices, serialize_data, lazy_init, max_refetch: As in
            :class:`mmpretrain.datasets.BaseDataset`.
    """

    METAINFO = dict(FashionMNIST.METAINFO)

    def __init__(self,
                 split: str = 'train',
                 data_root: str = EMBEDDED_ROOT,
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 metainfo: Optional[dict] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 lazy_init: bool = False,
                 max_refetch: int = 1000):
        if split not in EMBEDDED_FILES:
            raise ValueError(f'EmbeddedFashionMNIST: split must be one of '
                             f'{sorted(EMBEDDED_FILES)}, got {split!r}')
        self.split = split
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            data_prefix='',
            indices=indices,
            serialize_data=serialize_data,
            pipeline=pipeline,
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch)

    def load_data_list(self) -> List[dict]:
        """Read the split's images and labels from ``data_root``."""
        img_name, label_name, _ = EMBEDDED_FILES[self.split]
        paths = [osp.join(self.data_root, n) for n in (img_name, label_name)]
        for path in paths:
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'EmbeddedFashionMNIST: missing {path} (data_root='
                    f'{self.data_root!r}); rebuild it with '
                    'tools/make_embedded_subset.py')
        imgs = read_idx(paths[0], ndim=3)
        labels = read_idx(paths[1], ndim=1)
        if len(imgs) != len(labels):
            raise ValueError(f'{paths[0]} has {len(imgs)} images but '
                             f'{paths[1]} has {len(labels)} labels')
        return [{'img': img, 'gt_label': np.array(label, dtype=np.int64)}
                for img, label in zip(imgs, labels)]
