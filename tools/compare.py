"""Compare runs; `mim run adautomix_mm compare WORK_DIR...` runs this file.

All logic lives in :mod:`adautomix_mm.runtime.cli.compare`.
"""
from adautomix_mm.runtime.cli.compare import main

if __name__ == '__main__':
    main()
