"""``--engine dask``: the same run, one task per issue file, on a Dask cluster.

Workers build one ``Pipeline`` each (cached per process, keyed by the settings) and write their
own partition files into the shared output directory, exactly as local workers do; the client
gathers the small ``FileOutcome`` records in input order.  Each worker commits its own sources
(manifest records under the outputs lock, a ``flock``: the shared filesystem must support it).  Without
a scheduler address a ``LocalCluster`` of ``settings.workers`` processes is started.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pipeline.ingest import printable
from pipeline.runner import FileOutcome, Pipeline, RunSummary, process_and_write, run
from pipeline.settings import Settings

_PIPES: dict[str, Pipeline] = {}


def _task(settings: Settings, path: str, issue_date: dt.date | None) -> FileOutcome:
    key = json.dumps(settings.as_record(), sort_keys=True, default=str)
    if key not in _PIPES:
        from pipeline.runner import env_threads_one

        env_threads_one()
        _PIPES[key] = Pipeline(settings)
    return process_and_write(Path(path), issue_date, _PIPES[key])


def run_dask(
    settings: Settings,
    paths: Sequence[str | Path],
    issue_date: dt.date | None = None,
    scheduler: str | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> RunSummary:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise SystemExit("pinghu-ner: --engine dask needs the extra: pip install 'pinghu-ner[dask]'") from exc

    settings.out_dir = settings.out_dir.resolve()  # workers may run elsewhere: no relative paths

    def execute(s: Settings, files: list[Path], date: dt.date | None) -> Iterator[FileOutcome]:
        if not files:
            return
        if scheduler:
            client = Client(scheduler)
            cluster = None
        else:
            cluster = LocalCluster(n_workers=s.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, host="127.0.0.1")
            client = Client(cluster)
        try:
            futures = [client.submit(_task, s, str(Path(f).resolve()), date, pure=False) for f in files]
            for fut, f in zip(futures, files):
                outcome = fut.result()
                outcome.path = printable(f)
                yield outcome
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return run(settings, paths, issue_date, on_file=on_file, executor=execute, on_note=on_note)
