"""Rebuild the embedded Fashion-MNIST subset from the full IDX files.

Rule (deterministic, no random numbers): for every class, keep the first
``per_class`` images of the official split in file order (400 per class from
``train-*``, 100 per class from ``t10k-*``), then write them in their original
relative order as gzip IDX files (mtime 0, so the output is reproducible).

Usage::

    python tools/make_embedded_subset.py \\
        --src /usr/share/datasets/fashion-mnist
"""
import argparse
import gzip
import os
import os.path as osp
import struct
from typing import Dict, Tuple

import numpy as np

from adautomix_mm.datasets.embedded_fashion_mnist import (EMBEDDED_FILES,
                                                          EMBEDDED_ROOT,
                                                          read_idx)

# split -> (images, labels) of the official files, without the .gz suffix
SOURCE_FILES = {
    'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
}
NUM_CLASSES = 10


def find_file(src: str, name: str) -> str:
    """Return ``src/name.gz`` or ``src/name``, whichever exists."""
    for candidate in (osp.join(src, name + '.gz'), osp.join(src, name)):
        if osp.isfile(candidate):
            return candidate
    raise FileNotFoundError(f'neither {name}.gz nor {name} found in {src!r}')


def balanced_indices(labels: np.ndarray, per_class: int) -> np.ndarray:
    """Indices of the first ``per_class`` items of every class, sorted."""
    picked = []
    for cls in range(NUM_CLASSES):
        idx = np.flatnonzero(labels == cls)[:per_class]
        if len(idx) < per_class:
            raise ValueError(f'class {cls} has only {len(idx)} items, '
                             f'{per_class} wanted')
        picked.append(idx)
    return np.sort(np.concatenate(picked))


def build_subset(src: str) -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    """Select the subset of both splits from the full files in ``src``."""
    subset = {}
    for split, (img_name, label_name) in SOURCE_FILES.items():
        labels = read_idx(find_file(src, label_name), ndim=1)
        imgs = read_idx(find_file(src, img_name), ndim=3)
        keep = balanced_indices(labels, EMBEDDED_FILES[split][2])
        subset[split] = (imgs[keep], labels[keep])
    return subset


def idx_bytes(array: np.ndarray) -> bytes:
    """Serialise a uint8 array as an IDX file (magic 0x08, big-endian dims)."""
    if array.dtype != np.uint8:
        raise TypeError(f'IDX writer expects uint8, got {array.dtype}')
    header = struct.pack('>BBBB', 0, 0, 0x08, array.ndim)
    header += struct.pack(f'>{array.ndim}I', *array.shape)
    return header + np.ascontiguousarray(array).tobytes()


def write_gzip(path: str, payload: bytes) -> None:
    """Write ``payload`` gzip-compressed with a fixed header (no name/time)."""
    with open(path, 'wb') as raw:
        with gzip.GzipFile(filename='', mode='wb', compresslevel=9,
                           fileobj=raw, mtime=0) as gz:
            gz.write(payload)


def write_subset(subset: Dict[str, Tuple[np.ndarray, np.ndarray]],
                 out: str) -> None:
    os.makedirs(out, exist_ok=True)
    for split, (imgs, labels) in subset.items():
        img_name, label_name, _ = EMBEDDED_FILES[split]
        write_gzip(osp.join(out, img_name), idx_bytes(imgs))
        write_gzip(osp.join(out, label_name), idx_bytes(labels))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--src', default='/usr/share/datasets/fashion-mnist',
        help='folder with the four official IDX files (.gz or raw)')
    parser.add_argument('--out', default=EMBEDDED_ROOT,
                        help='output folder (default: the package copy)')
    args = parser.parse_args(argv)
    subset = build_subset(args.src)
    write_subset(subset, args.out)
    for split, (imgs, labels) in subset.items():
        print(f'{split}: {len(imgs)} images, per class '
              f'{np.bincount(labels, minlength=NUM_CLASSES).tolist()}')


if __name__ == '__main__':
    main()
