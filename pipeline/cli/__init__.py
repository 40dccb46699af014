"""The ``pinghu-ner`` command: argument parsing and one function per subcommand.

``main`` is the console script's entry point; ``cluster`` is the dask executor behind
``run --scheduler``; ``version`` says what ``--version`` prints.
"""

from pipeline.cli.main import main

__all__ = ["main"]
