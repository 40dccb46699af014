"""``pinghu-ner browse``: Datasette on localhost over a fresh SQLite export of the outputs.

Datasette is an optional extra (``pip install 'pinghu-ner[browse]'``), imported only here and
only when called, so the package and every other command work without it.  The server is
Datasette's own ``serve`` command, run in this process with one plugin added: the search box's
query goes through :func:`pipeline.report.sqlite.expand_short_phrases`, so that one- and
two-character searches (张三, 会议) find articles in the trigram index, which alone only finds
three characters or more.
"""

from __future__ import annotations

import socket
import types
from pathlib import Path
from typing import Any

from pipeline.report.sqlite import expand_short_phrases

HOST = "127.0.0.1"
PLUGIN_NAME = "pinghu_ner_search"
INSTALL_HINT = "pip install 'pinghu-ner[browse]'"
# Article texts run to thousands of characters: a table page shows the start of each, the row
# page all of it.  Facets over a year's mentions take longer than Datasette's default 200 ms.
SETTINGS = {"truncate_cells_html": "300", "facet_time_limit_ms": "2000", "sql_time_limit_ms": "5000"}


class DatasetteMissing(RuntimeError):
    """Datasette is not installed (the ``browse`` extra)."""


def require_datasette() -> None:
    """Raise :class:`DatasetteMissing`, saying how to install it, when Datasette cannot be imported."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise DatasetteMissing(f"browsing needs Datasette: {INSTALL_HINT}") from None


def port_free(port: int, host: str = HOST) -> bool:
    """Whether ``host:port`` can be listened on now (checked before the export, which takes a while)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def search_plugin() -> Any:
    """A Datasette plugin object whose ``escape_fts`` SQL function (the one Datasette applies to the
    search box) also expands short phrases.  ``trylast``: Datasette registers its own
    ``escape_fts`` in the same hook, and the last registration on a connection wins."""
    from datasette import hookimpl
    from datasette.utils import escape_fts

    @hookimpl(trylast=True)
    def prepare_connection(conn: Any) -> None:
        conn.create_function("escape_fts", 1, lambda q: expand_short_phrases(conn, escape_fts(q or "")))

    plugin = types.ModuleType(PLUGIN_NAME)  # Datasette lists plugins by their module __name__
    plugin.prepare_connection = prepare_connection  # type: ignore[attr-defined]
    return plugin


def register_search_plugin() -> None:
    """Add the plugin to Datasette's plugin manager (once per process)."""
    from datasette.plugins import pm

    if pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(search_plugin(), name=PLUGIN_NAME)


def serve_args(db: Path, metadata: Path, port: int) -> list[str]:
    """The ``datasette serve`` arguments: the database immutable (it never changes while served,
    so Datasette counts rows once), on localhost only."""
    args = ["serve", "--immutable", str(db), "--metadata", str(metadata), "--host", HOST, "--port", str(port)]
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args


def serve(db: Path, metadata: Path, port: int) -> None:
    """Run Datasette on ``db`` until interrupted (Ctrl-C or SIGTERM end it cleanly)."""
    from datasette.cli import cli

    register_search_plugin()
    cli.main(serve_args(db, metadata, port), prog_name="datasette", standalone_mode=False)


__all__ = ["HOST", "INSTALL_HINT", "DatasetteMissing", "port_free", "register_search_plugin", "require_datasette",
           "search_plugin", "serve", "serve_args"]
