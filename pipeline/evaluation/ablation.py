"""Switch each recognise pass off in turn and score every set again: what each pass is worth.

Why here and cheap: a pass is a function of the sources' proposals, so the taggers run once per
set (``MemoSource`` keeps their spans per text) and every ablation re-runs only the passes.  The
result is the same as a full run with ``--disable PASS`` (the memo returns what the tagger
returned for the same text); only the time differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from pipeline.recognize import PassConfigError, Plan, Recognizer, RecognizeStage, create, load_config
from pipeline.records import Span
from pipeline.settings import Settings


class MemoSource(Recognizer):
    """A source whose spans per text are computed once and then reused.

    A call with any text not yet seen runs the wrapped source on the whole batch as given, so
    the first run batches exactly as an unwrapped source would; a text already seen keeps its
    first reading (our int8 tagger's reading of a text depends slightly on the texts it is
    batched with, ``OnnxTagger.read``, so a rerun batch must not rewrite it)."""

    def __init__(self, inner: Recognizer) -> None:
        self.inner = inner
        self.name = inner.name
        self.labels = inner.labels
        self._memo: dict[str, list[Span]] = {}
        self._sure: dict[str, np.ndarray | None] = {}

    def __getattr__(self, name: str) -> object:
        """What else the wrapped source offers the passes (the ruler's ``regions``)."""
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        if any(t not in self._memo for t in texts):
            for t, found in zip(texts, self.inner.spans(texts)):
                self._memo.setdefault(t, found)
        return [list(self._memo[t]) for t in texts]

    def spans_with_confidence(self, texts: Sequence[str]) -> tuple[list[list[Span]], list[np.ndarray] | None]:
        """The inner source's spans and per-character confidence, each computed once per text
        (a gate the source decides gates the same clauses in every ablated run)."""
        if any(t not in self._sure for t in texts):
            found, sure = self.inner.spans_with_confidence(texts)
            for k, t in enumerate(texts):
                if t not in self._sure:
                    self._memo[t], self._sure[t] = found[k], None if sure is None else sure[k]
        sure_list = [self._sure[t] for t in texts]
        if any(s is None for s in sure_list):
            return [list(self._memo[t]) for t in texts], None
        return [list(self._memo[t]) for t in texts], sure_list  # type: ignore[return-value]


def memo_sources(settings: Settings) -> list[Recognizer]:
    """The preset's sources, each behind its own memo."""
    return [
        MemoSource(create(n, model_dir=settings.model_dir, gazetteer_dir=settings.gazetteer_dir,
                          batch_size=settings.batch_size))
        for n in load_config(settings.backend).sources
    ]


def ablatable_passes(backend: str) -> list[str]:
    """The preset's passes that can be switched off alone (the plan still meets every
    requirement) and that change spans: the repairs and filters, not the proposers, the vote
    or the roles."""
    from pipeline.recognize import PASSES

    names = load_config(backend).passes
    out = []
    for name in names:
        if not PASSES[name].provides & {"spans", "candidates"}:
            continue
        try:
            Plan.build(names, disable=[name])
        except PassConfigError:
            continue
        out.append(name)
    return out


Scorer = Callable[[RecognizeStage], float]


def ablate(
    settings: Settings, scorers: dict[str, Scorer], passes: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    """Micro F1 per set with nothing off (row ``none``) and with each pass off in turn.

    ``scorers`` maps a set name to a function scoring a stage on that set; each set's stages
    share memoised sources of their own, so each tagger runs once per set and a set's row
    ``none`` is what the set scores alone (a memo shared between sets would hand MSRA test as
    documents the readings MSRA test's batches gave its longest sentences, held there whole)."""
    memos = {name: memo_sources(settings) for name in scorers}
    rows: dict[str, dict[str, float]] = {}
    for off in ["none", *(passes if passes is not None else ablatable_passes(settings.backend))]:
        ablated = settings if off == "none" else replace(settings, disable_passes=(off,))
        rows[off] = {name: score(RecognizeStage(ablated, sources=memos[name])) for name, score in scorers.items()}
    return rows
