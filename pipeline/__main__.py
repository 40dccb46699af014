"""``python -m pipeline`` is the ``pinghu-ner`` command."""

import sys

from .cli import main

sys.exit(main())
