"""The package's version: one constant, imported by the manifest, the runner's fingerprint and
``pinghu-ner --version`` (``pipeline.cli.version``), and by nothing else.

A module of its own, importing nothing, so that the store can record the version without
importing the package's ``__init__`` (which re-exports ``load`` from the store: an import cycle).
"""

__version__ = "0.3.0"
