"""The ``[recognize]`` config section: which sources propose, which passes run, in what order.

Why a config and not code: the backends used to be four hard-wired branches, and a pass could not
be switched off to measure what it is worth.  Now a backend is a named preset of one config file
(``recognize.cfg``, spaCy's config system as ``pipeline/model/*.cfg`` use), and an ablation is the
same preset with ``disable`` set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from pipeline.recognize.gate import Gate

CONFIG_PATH = Path(__file__).resolve().parent / "recognize.cfg"
KEYS = frozenset({"sources", "passes", "disable", "threshold", "blocklist", "vote", "gate", "vote_from", "second"})
# The passes that fill the vote's slot in a pass list; a preset's ``vote`` key names the one it runs.
VOTE_PASSES = ("vote", "learned_vote")


@dataclass(frozen=True)
class RecognizeConfig:
    """One resolved preset: its name (the key of its calibrated vote threshold) and settings."""

    preset: str
    sources: tuple[str, ...]
    passes: tuple[str, ...]
    disable: tuple[str, ...] = ()
    threshold: float | None = None  # None: the calibrated threshold for ``preset``
    blocklist: bool = True
    gate: Gate | None = None  # a source consulted only where another is unsure (``gate.py``)
    vote_from: str = ""  # the preset whose trained learned vote this one runs ("": its own)
    # Where the model's second member reads, over the model's own setting (``pipeline.model.members``):
    # (key, value) pairs of ``below``, ``unit`` and ``context``, so that the config stays hashable.
    second: tuple[tuple[str, float], ...] = ()

    @property
    def learned_vote(self) -> str:
        """The preset whose ``learned_combiner`` artefact this preset reads."""
        return self.vote_from or self.preset

    def with_passes(self, passes: Sequence[str]) -> RecognizeConfig:
        """The same preset with another pass list (a test adding a pass, a notebook trying one)."""
        return replace(self, passes=tuple(passes))


def _raw(path: Path) -> dict[str, dict]:
    """The file's sections, read once per version of the file."""
    return _parsed(Path(path), Path(path).stat().st_mtime_ns)


@cache
def _parsed(path: Path, _mtime_ns: int) -> dict[str, dict]:
    from confection import Config

    cfg = Config().from_disk(path, interpolate=False)
    return {"recognize": dict(cfg["recognize"]), "presets": {k: dict(v) for k, v in cfg.get("presets", {}).items()}}


def preset_names(path: Path = CONFIG_PATH) -> tuple[str, ...]:
    """The backends: every preset in the config file, in file order."""
    return tuple(_raw(path)["presets"])


def load(preset: str, disable: Sequence[str] = (), path: Path = CONFIG_PATH) -> RecognizeConfig:
    """``[recognize]`` with ``[presets.<preset>]`` over it, plus passes disabled for an ablation."""
    raw = _raw(path)
    if preset not in raw["presets"]:
        raise KeyError(f"unknown recognise preset {preset!r}; known: {', '.join(raw['presets'])}")
    merged = {**raw["recognize"], **raw["presets"][preset]}
    unknown = set(merged) - KEYS
    if unknown:  # a misspelt key would otherwise be ignored without a word
        raise KeyError(f"{path}: unknown key(s) {sorted(unknown)} for preset {preset!r}; known: {sorted(KEYS)}")
    passes = tuple(merged["passes"])
    if merged.get("vote"):  # the same pass list with another vote (hand-set or learned)
        if merged["vote"] not in VOTE_PASSES:
            raise KeyError(f"{path}: preset {preset!r}: vote must be one of {VOTE_PASSES}, not {merged['vote']!r}")
        passes = tuple(merged["vote"] if p in VOTE_PASSES else p for p in passes)
    return RecognizeConfig(
        preset=preset,
        sources=tuple(merged["sources"]),
        passes=passes,
        disable=tuple(dict.fromkeys([*merged.get("disable", ()), *disable])),
        threshold=None if merged.get("threshold") is None else float(merged["threshold"]),
        blocklist=bool(merged.get("blocklist", True)),
        gate=Gate.from_config(merged.get("gate"), merged["sources"]),
        vote_from=str(merged.get("vote_from") or ""),
        second=_second(merged.get("second"), preset, path),
    )


def _second(raw: dict | None, preset: str, path: Path) -> tuple[tuple[str, float], ...]:
    """A preset's ``second = {"below": x, "unit": n}``, checked."""
    if not raw:
        return ()
    unknown = set(raw) - {"below", "unit", "context"}
    if unknown:
        raise KeyError(f"{path}: preset {preset!r}: second: unknown key(s) {sorted(unknown)}; "
                       "known: below, unit, context")
    return tuple(sorted((k, float(v) if k == "below" else int(v)) for k, v in raw.items()))
