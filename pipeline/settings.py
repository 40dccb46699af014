"""The one settings object of a pipeline run.

Everything a stage may be configured by lives here, so that a run is described by one value that
the manifest can record and a worker process can receive whole.  The model's own hyper-parameters
live in spaCy's config (``pipeline/model/ner.cfg``), not here.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_GAZETTEER = PACKAGE_DIR / "gazetteers" / "pinghu"
DEFAULT_MODEL = REPO_DIR / "models" / "zh_news_ner"

PAPER_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")



def backends() -> tuple[str, ...]:
    """The recognise stage's presets (``pipeline/recognize/recognize.cfg``), the default first.

    Read from the one config file, not listed here again; imported when called, because the
    recognise package imports this module."""
    from pipeline.recognize.config import preset_names

    return preset_names()


@dataclass
class Settings:
    paper: str = "pinghu-daily"
    gazetteer_dir: Path = DEFAULT_GAZETTEER
    model_dir: Path = DEFAULT_MODEL
    backend: str = "combined"
    out_dir: Path = Path("outputs")
    workers: int = 1
    batch_size: int = 32
    resume: bool = False
    # Sources are identified by their path relative to this folder (else their absolute path):
    # see pipeline/ingest/identity.py.
    archive_root: Path | None = None
    # Recognition of mentions in traditional characters: OpenCC t2s before the model, the
    # original surface kept.
    convert_traditional: bool = True
    # Recognise passes switched off (names from recognize.cfg), for ablations; () in production.
    disable_passes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.gazetteer_dir = Path(self.gazetteer_dir)
        self.model_dir = Path(self.model_dir)
        self.out_dir = Path(self.out_dir)
        self.disable_passes = tuple(self.disable_passes)
        self.archive_root = Path(self.archive_root) if self.archive_root is not None else None

    def validate(self) -> None:
        """Raise ValueError for values that would escape ``out_dir`` or name nothing we have."""
        if not PAPER_SLUG.match(self.paper):
            raise ValueError(
                f"--paper {self.paper!r} is not a slug (lowercase letters, digits, '-' or '_', 1-64 chars)"
            )
        if self.backend not in backends():
            raise ValueError(f"--backend {self.backend!r}: choose one of {', '.join(backends())}")
        if self.workers < 1:
            raise ValueError("--workers must be at least 1")
        if self.disable_passes:
            from pipeline.recognize.config import load as load_config
            from pipeline.recognize.registry import Plan

            Plan.build(load_config(self.backend).passes, self.disable_passes)  # ValueError if it cannot run

    def as_record(self) -> dict[str, object]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}
