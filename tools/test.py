"""Test entry point; `mim test adautomix_mm CFG` runs this file.

All logic lives in :mod:`adautomix_mm.runtime.cli.test` so that the installed package,
``mim`` and a source checkout run the same code.
"""
from adautomix_mm.runtime.cli.test import main

if __name__ == '__main__':
    main()
