"""Install the full Fashion-MNIST for mmpretrain's ``FashionMNIST``.

    python tools/prepare_fashion_mnist.py                  # Debian package
    python tools/prepare_fashion_mnist.py --src DIR        # local .gz / raw
    python tools/prepare_fashion_mnist.py --download       # internet

The output folder (default ``data/fashion_mnist``) then holds the four
uncompressed IDX files that ``FashionMNIST(data_prefix=..., download=False)``
reads. Logic: :mod:`adautomix_mm.datasets.prepare`.
"""
import argparse

from adautomix_mm.datasets.prepare import (DEBIAN_DIR, DEFAULT_OUT,
                                           prepare_fashion_mnist)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=DEFAULT_OUT,
                        help=f'output folder (default: {DEFAULT_OUT})')
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--src', help='folder with the four IDX files, '
                        f'.gz or raw (default: {DEBIAN_DIR})')
    source.add_argument('--download', action='store_true',
                        help="use mmpretrain's FashionMNIST downloader")
    args = parser.parse_args(argv)
    used, checks = prepare_fashion_mnist(args.out, args.src, args.download)
    print(f'Fashion-MNIST from {used} -> {args.out}')
    for name, check in checks.items():
        print(f'  {name}: {check} OK')


if __name__ == '__main__':
    main()
