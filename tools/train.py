"""Train entry point; `mim train adautomix_mm CFG` runs this file.

All logic lives in :mod:`adautomix_mm.runtime.cli.train` so that the installed package,
``mim`` and a source checkout run the same code.
"""
from adautomix_mm.runtime.cli.train import main

if __name__ == '__main__':
    main()
