"""Scoring: span- and page-level metrics (``metrics``) and the harness that runs a recognise
configuration over gold corpora and hand-annotated pages (``harness``)."""
