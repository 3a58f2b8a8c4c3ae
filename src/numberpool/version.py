"""numberpool's version: a leaf every layer may read (the health answer, ``numberpool --version``)."""

__version__ = "0.1.0"
