"""Export the EMA teacher (or the online network) as an ImageClassifier
checkpoint; logic in :mod:`adautomix_mm.runtime.cli.export_network`."""
from adautomix_mm.runtime.cli.export_network import main

if __name__ == '__main__':
    main()
