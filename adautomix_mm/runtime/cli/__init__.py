"""Command-line entry points (``tools/train.py``, ``tools/test.py``)."""
