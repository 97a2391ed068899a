"""Install the full Fashion-MNIST where mmpretrain's ``FashionMNIST`` reads it.

``FashionMNIST(data_prefix=DIR, download=False)`` expects the four
*uncompressed* IDX files in ``DIR``. :func:`prepare_fashion_mnist` fills
``DIR`` from a local folder (``.gz`` or raw files), from Debian's
``dataset-fashion-mnist`` package, or with mmpretrain's own downloader, and
checks every file's md5.
"""
import gzip
import hashlib
import os
import os.path as osp
from typing import Dict, Optional, Tuple

from mmpretrain.datasets import FashionMNIST

DEBIAN_DIR = '/usr/share/datasets/fashion-mnist'
DEFAULT_OUT = osp.join('data', 'fashion_mnist')

# md5 of the released .gz files, as listed by mmpretrain.
GZ_MD5 = dict(FashionMNIST.train_list + FashionMNIST.test_list)
# md5 of the decompressed files. Repackagers (Debian) recompress, which
# changes the .gz md5 but not the content, so this is the check that counts.
RAW_MD5 = {
    'train-images-idx3-ubyte': 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
    'train-labels-idx1-ubyte': '9018921c3c673c538a1fc5bad174d6f9',
    't10k-images-idx3-ubyte': '8181f5470baa50b63fa0f6fddb340f0a',
    't10k-labels-idx1-ubyte': '15d484375f8d13e6eb1aabb0c3f46965',
}
_CHUNK = 1 << 20


def _md5_of(path: str) -> str:
    digest = hashlib.md5()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(_CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


def _copy_checked(src: str, dst: str, name: str) -> str:
    """Copy (decompressing ``.gz``) ``src`` to ``dst`` and verify it.

    The content md5 is always checked. A ``.gz`` is also compared with the
    release md5 known to mmpretrain; a mismatch there alone only means the
    archive was recompressed (Debian does so). Returns which checks passed.
    """
    checks = 'content md5'
    opener = open
    if src.endswith('.gz'):
        opener = gzip.open
        if _md5_of(src) == GZ_MD5[name + '.gz']:
            checks = 'release .gz md5 + content md5'
    tmp = dst + '.part'
    digest = hashlib.md5()
    with opener(src, 'rb') as fin, open(tmp, 'wb') as fout:
        for block in iter(lambda: fin.read(_CHUNK), b''):
            digest.update(block)
            fout.write(block)
    if digest.hexdigest() != RAW_MD5[name]:
        os.remove(tmp)
        raise ValueError(f'{src}: content md5 {digest.hexdigest()} does not '
                         f'match Fashion-MNIST {name} ({RAW_MD5[name]})')
    os.replace(tmp, dst)
    return checks


def install_from_dir(src: str, out: str) -> Dict[str, str]:
    """Install the four files from ``src`` (``NAME.gz`` or ``NAME``).

    Returns ``{file name: checks passed}``.
    """
    if not osp.isdir(src):
        raise FileNotFoundError(f'Fashion-MNIST source folder {src!r} does '
                                'not exist')
    found = {}
    for name in RAW_MD5:
        for candidate in (osp.join(src, name + '.gz'), osp.join(src, name)):
            if osp.isfile(candidate):
                found[name] = candidate
                break
        else:
            raise FileNotFoundError(
                f'{name}.gz or {name} is missing in source folder {src!r}')
    os.makedirs(out, exist_ok=True)
    report = {}
    for name, path in found.items():
        dst = osp.join(out, name)
        if osp.abspath(path) == osp.abspath(dst):  # already in place
            if _md5_of(dst) != RAW_MD5[name]:
                raise ValueError(f'{dst}: md5 does not match Fashion-MNIST')
            report[name] = 'content md5'
            continue
        report[name] = _copy_checked(path, dst, name)
    return report


def download_to(out: str) -> Dict[str, str]:
    """Fetch the release with mmpretrain's downloader (checks .gz md5s)."""
    os.makedirs(out, exist_ok=True)
    FashionMNIST(data_prefix=out, download=True, test_mode=True)
    for name, md5 in RAW_MD5.items():
        if _md5_of(osp.join(out, name)) != md5:
            raise ValueError(f'downloaded {name} has a wrong md5')
    return {name: 'release .gz md5 + content md5' for name in RAW_MD5}


def prepare_fashion_mnist(
        out: str = DEFAULT_OUT,
        src: Optional[str] = None,
        download: bool = False) -> Tuple[str, Dict[str, str]]:
    """Fill ``out`` with the uncompressed Fashion-MNIST files.

    ``src`` when given, else the internet when ``download`` is true, else
    :data:`DEBIAN_DIR`. Returns the source used and the checks per file.
    """
    if src is not None:
        return src, install_from_dir(src, out)
    if download:
        return 'download', download_to(out)
    if osp.isdir(DEBIAN_DIR):
        return DEBIAN_DIR, install_from_dir(DEBIAN_DIR, out)
    raise FileNotFoundError(
        f'no Fashion-MNIST source: {DEBIAN_DIR!r} does not exist (apt-get '
        'install dataset-fashion-mnist); pass --src DIR or --download')
