"""``python -m pipeline`` is the ``pinghu-ner`` command."""

import sys

from pipeline.cli.main import main

sys.exit(main())
