"""A learned combiner: a logistic regression over each candidate span's evidence, as a pass.

Why: the hand-set vote (``combine.py``) weighs a source by one precision per label and keeps a
span above one threshold; it cannot learn that LAC's ORG ending in 公司 is right more often than
its bare two-character ORG, or that a span jieba cuts through is rarely a name.  Here every
distinct (start, end, label) that some source proposed (after the passes before the vote) becomes one
row of features (which sources proposed it and how surely, whether they agree on its type, the
gazetteer, jieba's word boundaries, the suffix class, the length, repetition in the text), and a
logistic regression trained on independent corpus text (``pipeline/training/learned_combiner.py``)
gives the probability that the span is exactly a gold entity.  ``learned_vote`` keeps the
candidates at or above the trained threshold, overlaps resolved by probability then length.

The artefact is a small JSON of coefficients (``models/zh_news_ner/learned_combiner.json``), read
with numpy: scikit-learn is needed to train it, not to run it.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import lexicons as lexicon
from pipeline.recognize.base import ModelFileError, read_model_json
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.occurrences import occurrences
from pipeline.recognize.overlap import Enclosing, keep_non_overlapping
from pipeline.recognize.registry import register_pass
from pipeline.records import Span

LABELS = ("PERSON", "PLACE", "ORG")
SOURCES = ("spacy", "lac", "gazetteer", "hanlp")
ARTEFACT = "learned_combiner.json"  # the default preset's; another preset's is ``artefact_name(preset)``
DEFAULT_PRESET = "combined"


def artefact_name(preset: str) -> str:
    """The learned vote's file for a preset: each preset's sources give other features, so each
    trains its own (``learned_combiner.json`` for the default, ``learned_combiner.<preset>.json``)."""
    return ARTEFACT if preset == DEFAULT_PRESET else f"learned_combiner.{preset}.json"

_ORG_ENDINGS = tuple(sorted({*lexicon.entries("company_suffixes"), *lexicon.entries("institution_words")},
                            key=len, reverse=True))
_SETTLEMENT = lexicon.entries("settlement_suffixes")
_ADMIN = lexicon.entries("admin_levels")
_DESCRIPTIVE = lexicon.entries("descriptive_place_suffixes")
_SURNAMES = lexicon.load("surnames")
_LENGTH_BINS = ((1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (7, 10), (11, 10_000))


# How one source's proposals relate to a candidate (``_relations``), in its columns' order.
_RELATIONS = ("exact", "score", "other_label", "contains", "inside", "crosses")


def _base_names() -> tuple[str, ...]:
    per_source = [f"{s}:{k}" for s in SOURCES for k in _RELATIONS]
    return (
        "one", *per_source, "n_agree", "n_span", "blocked",
        "jieba_start", "jieba_end", "jieba_one_word", "jieba_known", "jieba_cut_inside",
        "end_org", "end_settlement", "end_admin", "end_descriptive", "surname_first", "all_han", "has_digit_latin",
        *(f"len_{a}_{b}" for a, b in _LENGTH_BINS), "len_scaled",
        "surface_repeated", "proposed_elsewhere", "gazetteer_local",
    )


BASE_FEATURES = _base_names()
# Every base feature also crossed with the candidate's label, so one linear model learns per-label
# weights (LAC's ORG is not LAC's PERSON) while sharing what holds for all three.
FEATURES = (*BASE_FEATURES, *(f"{lab}*{f}" for lab in LABELS for f in BASE_FEATURES))


# Candidates scored at a time (``FeatureRows``): more than any article of a page holds, so a page
# is scored as one matrix, and a one-line file's matrix stays a few tens of MB.
SELECT_BLOCK = 4096
# Surfaces whose shape columns are remembered (``_surface_columns``): some hundred bytes each.
SURFACE_CACHE = 8192


@dataclass(frozen=True)
class Candidate:
    """One distinct proposal: a span and label, and the sources that proposed exactly it."""

    start: int
    end: int
    label: str
    sources: frozenset[str]
    score: float  # the highest confidence any of its sources gave it


def candidates_of(doc_candidates: Mapping[str, Sequence[Span]]) -> list[Candidate]:
    """The distinct (start, end, label) proposals of all sources, in text order."""
    by_key: dict[tuple[int, int, str], tuple[set[str], float]] = {}
    for spans in doc_candidates.values():
        for s in spans:
            if s.label not in LABELS or s.end <= s.start:
                continue
            srcs, best = by_key.setdefault((s.start, s.end, s.label), (set(), 0.0))
            srcs.add(s.source)
            by_key[(s.start, s.end, s.label)] = (srcs, max(best, s.score))
    return [Candidate(a, b, lab, frozenset(srcs), sc) for (a, b, lab), (srcs, sc) in sorted(by_key.items())]


class _SourceIndex:
    """One source's proposals sorted by start, so the ones overlapping a candidate are found by
    bisection: a linear scan per candidate made a 100,000-character line quadratic."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = sorted((s for s in spans if s.label in LABELS and s.end > s.start), key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]
        self.longest = max((s.end - s.start for s in self.spans), default=0)

    def overlapping(self, start: int, end: int) -> list[Span]:
        lo = bisect_left(self.starts, start - self.longest + 1)
        hi = bisect_left(self.starts, end)
        return [s for s in self.spans[lo:hi] if s.end > start]


def _relations(c: Candidate, index: _SourceIndex) -> list[float]:
    """How one source's proposals relate to candidate ``c`` (same span, containing, inside,
    crossing), in ``_RELATIONS`` order: the values ``FeatureRows.matrix`` writes into that
    source's columns."""
    exact = score = other = contains = inside = crosses = 0.0
    for s in index.overlapping(c.start, c.end):
        if s.start == c.start and s.end == c.end:
            if s.label == c.label:
                exact, score = 1.0, max(score, s.score)
            else:
                other = 1.0
        elif s.start <= c.start and c.end <= s.end:
            contains = 1.0
        elif c.start <= s.start and s.end <= c.end:
            inside = 1.0
        else:
            crosses = 1.0
    return [exact, score, other, contains, inside, crosses]


class _Containment(Enclosing):
    """Whether a span lies inside a different, longer proposed span, by prefix maxima of ends
    (``Enclosing``'s index, which answers the same-or-earlier-start half)."""

    def inside_another(self, start: int, end: int) -> bool:
        before = self._max_end[bisect_left(self._starts, start)]  # spans starting earlier
        return before >= end or self.holds(start, end)  # ... or at the same place, ending later


def _repeated(text: str, surface: str, start: int) -> bool:
    """Whether ``surface`` occurs in ``text`` somewhere other than at ``start``."""
    first = text.find(surface)
    return first != start or text.find(surface, start + 1) != -1


def _shape(surface: str) -> dict[str, float]:
    """Suffix class, first character and length of a surface: how Chinese names are built."""
    n = len(surface)
    f = {
        "end_org": float(surface.endswith(_ORG_ENDINGS)),
        "end_settlement": float(surface.endswith(_SETTLEMENT)),
        "end_admin": float(surface.endswith(_ADMIN)),
        "end_descriptive": float(surface.endswith(_DESCRIPTIVE)),
        "surname_first": float(surface[:1] in _SURNAMES or surface[:2] in _SURNAMES),
        "all_han": float(all("\u4e00" <= ch <= "\u9fff" for ch in surface)),
        "has_digit_latin": float(any(ch.isascii() and ch.isalnum() for ch in surface)),
        "len_scaled": min(n, 20) / 10.0,
    }
    f.update({f"len_{a}_{b}": float(a <= n <= b) for a, b in _LENGTH_BINS})
    return f


_COLUMN = {name: i for i, name in enumerate(BASE_FEATURES)}
_SOURCE_COLUMNS = tuple(_COLUMN[f"{src}:{_RELATIONS[0]}"] for src in SOURCES)  # where each source's run starts
_JIEBA_COLUMNS = [_COLUMN[k] for k in ("jieba_start", "jieba_end", "jieba_one_word", "jieba_known", "jieba_cut_inside")]
_LAST_COLUMNS = [_COLUMN[k] for k in ("surface_repeated", "proposed_elsewhere", "gazetteer_local")]
_LABEL_CODE = {lab: i for i, lab in enumerate(LABELS)}


@lru_cache(maxsize=SURFACE_CACHE)
def _surface_columns(surface: str) -> tuple[tuple[int, float], ...]:
    """(column, value) of what a candidate's features owe to its surface alone (``_shape`` and
    whether jieba knows it as a word): the same for every candidate of that surface, in any
    text, so the names a paper prints every day are shaped once."""
    from pipeline.model.wordseg import is_known_word

    return (*((_COLUMN[k], v) for k, v in _shape(surface).items()), (_COLUMN["jieba_known"], float(is_known_word(surface))))


def local_names(gazetteer_dir: Path) -> frozenset[str]:
    """The gazetteer ruler's surfaces that name the paper's own county or city or a body of them
    (``Gazetteer.locality`` 0 or 1): what a county paper prints constantly and a tagger trained on
    national news may never have seen (a county's short name reads as an ordinary word)."""
    from pipeline.gazetteers import load_gazetteer

    gaz = load_gazetteer(gazetteer_dir)
    return frozenset(surface for surface, _ in gaz.names_for_ruler()
                     if (ms := gaz.matches(surface)) and gaz.locality(ms[0].entry) <= 1)


def features(text: str, doc_candidates: Mapping[str, Sequence[Span]],
             blocklist: Mapping[str, set[str]] | None = None,
             local: frozenset[str] = frozenset()) -> tuple[list[Candidate], np.ndarray]:
    """The candidates of one text and their feature matrix (rows in ``FEATURES`` order);
    ``local``: the surfaces naming the paper's own county or city (``local_names``)."""
    cands = candidates_of(doc_candidates)
    if not cands:
        return cands, np.zeros((0, len(FEATURES)), dtype=np.float32)
    return cands, FeatureRows(text, doc_candidates, cands, blocklist, local).matrix(cands)


class FeatureRows:
    """What the feature rows of one text's candidates are read from (jieba's word bounds, each
    source's proposals by start, where each surface is printed), gathered once per text, so that
    ``matrix`` can make the rows of any block of the candidates.

    Why blocks: a one-line file of a million characters (issue 33) is one text with a hundred
    thousand candidates, and its whole matrix (204 floats a candidate) with the float64 copies
    that standardise it was most of the run's memory; ``LearnedCombiner.select`` scores it
    ``SELECT_BLOCK`` candidates at a time."""

    def __init__(self, text: str, doc_candidates: Mapping[str, Sequence[Span]], cands: Sequence[Candidate],
                 blocklist: Mapping[str, set[str]] | None = None, local: frozenset[str] = frozenset()) -> None:
        from pipeline.model.wordseg import word_bounds

        self.text, self.local, self.blocked = text, local, blocklist or {}
        self.bounds = word_bounds(text)
        self.span_sources: dict[tuple[int, int], set[str]] = defaultdict(set)
        for c in cands:
            self.span_sources[(c.start, c.end)] |= c.sources
        self.surfaces = Counter(text[c.start : c.end] for c in {(c.start, c.end): c for c in cands}.values())
        self.indexes = {src: _SourceIndex(doc_candidates.get(src, ())) for src in SOURCES}
        self.containment = _Containment(list(self.span_sources))
        # Every place each surface is printed, in one reading of the text: ``_repeated`` per
        # surface read the text from its start each time, names x characters on a one-line file.
        self.printed = occurrences(text, self.surfaces)

    def _is_bound(self, i: int) -> bool:
        k = bisect_left(self.bounds, i)
        return k < len(self.bounds) and self.bounds[k] == i

    def matrix(self, cands: Sequence[Candidate]) -> np.ndarray:
        """The feature rows of ``cands`` (candidates of this text), in ``FEATURES`` order.

        Each row is a list written by column (``_COLUMN``) and the block made one array at the
        end: a dictionary of named values per candidate, updated per source and copied into a
        numpy row value by value, was most of the learned vote's time.  The values are the same
        Python floats, rounded to float32 by the one conversion as they were by the row's."""
        text, bounds, surfaces, printed = self.text, self.bounds, self.surfaces, self.printed
        indexes = [self.indexes[src] for src in SOURCES]
        rows: list[list[float]] = []
        for c in cands:
            surface = text[c.start : c.end]
            row = [0.0] * len(BASE_FEATURES)
            row[0] = 1.0  # "one"
            for col, index in zip(_SOURCE_COLUMNS, indexes):
                row[col : col + len(_RELATIONS)] = _relations(c, index)
            row[_COLUMN["n_agree"]] = len(c.sources) / 3.0
            row[_COLUMN["n_span"]] = len(self.span_sources[(c.start, c.end)]) / 3.0
            row[_COLUMN["blocked"]] = float(any(f"{c.label}|{surface}" in self.blocked.get(s, ()) for s in c.sources))
            inside = bisect_left(bounds, c.end) - bisect_right(bounds, c.start)
            at_start, at_end = self._is_bound(c.start), self._is_bound(c.end)
            js, je, jw, _known, jc = _JIEBA_COLUMNS
            row[js], row[je] = float(at_start), float(at_end)
            row[jw], row[jc] = float(at_start and at_end and not inside), min(inside, 4) / 4.0
            for col, value in _surface_columns(surface):
                row[col] = value
            repeated, elsewhere, local = _LAST_COLUMNS
            row[repeated] = float(len(printed[surface]) > 1)  # = _repeated(text, surface, c.start)
            row[elsewhere] = float(surfaces[surface] > 1)
            # A local name inside a longer proposal (平湖 in 平湖农商银行) is that name's part, not a place.
            row[local] = float(surface in self.local and not self.containment.inside_another(c.start, c.end))
            rows.append(row)
        base = np.array(rows, dtype=np.float32).reshape(len(cands), len(BASE_FEATURES))
        codes = np.array([_LABEL_CODE[c.label] for c in cands], dtype=np.int64)
        crossed = [base * (codes == k).astype(np.float32)[:, None] for k in range(len(LABELS))]
        return np.hstack([base, *crossed])


@dataclass(frozen=True)
class LearnedCombiner:
    """The trained logistic regression: standardisation, coefficients, threshold."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    local: frozenset[str] = frozenset()  # the active gazetteer's own names (``local_names``)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], threshold: float | None = None,
                  local: frozenset[str] = frozenset()) -> LearnedCombiner:
        """From the artefact's dict; refuses one written for another feature list.  ``local``:
        the names of the paper's own county or city in the gazetteer the stage runs with."""
        if list(raw["features"]) != list(FEATURES):
            raise ValueError("learned combiner: the artefact's features differ from this code's; retrain it "
                             "(python -m pipeline.training.learned_combiner)")
        return cls(np.asarray(raw["mean"], dtype=np.float64), np.asarray(raw["scale"], dtype=np.float64),
                   np.asarray(raw["coef"], dtype=np.float64), float(raw["intercept"]),
                   float(raw["threshold"] if threshold is None else threshold), local)

    @classmethod
    def load(cls, path: Path, threshold: float | None = None, local: frozenset[str] = frozenset()) -> LearnedCombiner:
        """The artefact at ``path``; a missing or malformed one is a ``ModelFileError`` naming the
        file and the field at fault."""
        if not Path(path).is_file():
            raise ModelFileError(path, "missing: no learned combiner; train one with "
                                       "`python -m pipeline.training.learned_combiner`")
        raw = read_model_json(path)
        problem = _artefact_problem(raw)
        if problem:
            raise ModelFileError(path, problem)
        return cls.from_dict(raw, threshold, local)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(exact gold entity) per row of a feature matrix, in [0, 1]."""
        if not len(x):
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def select(self, text: str, doc_candidates: Mapping[str, Sequence[Span]],
               blocklist: Mapping[str, set[str]] | None = None) -> list[Span]:
        """The candidates at or above the threshold, overlaps resolved by probability then length."""
        cands = candidates_of(doc_candidates)
        rows = FeatureRows(text, doc_candidates, cands, blocklist, self.local) if cands else None
        probs = [self.probabilities(rows.matrix(cands[k : k + SELECT_BLOCK]))
                 for k in range(0, len(cands), SELECT_BLOCK)] if rows else []
        return resolve(cands, np.concatenate(probs) if probs else np.zeros(0), self.threshold)


def _artefact_problem(raw: object) -> str:
    """What makes ``raw`` not a learned combiner for this code's features, or "" when it is one."""
    if not isinstance(raw, dict):
        return f"not a JSON object (a {type(raw).__name__})"
    for key in ("features", "mean", "scale", "coef", "intercept", "threshold"):
        if key not in raw:
            return f"no field {key!r}"
    if raw["features"] != list(FEATURES):
        return ("field 'features' differs from this code's features; retrain it "
                "(python -m pipeline.training.learned_combiner)")
    for key in ("mean", "scale", "coef"):
        v = raw[key]
        if not isinstance(v, list) or len(v) != len(FEATURES) or not all(map(_finite, v)):
            return f"field {key!r} is not {len(FEATURES)} numbers, one per feature"
    if not all(raw["scale"]):
        return "field 'scale' holds a zero"
    for key in ("intercept", "threshold"):
        if not _finite(raw[key]):
            return f"field {key!r} is not a number"
    return ""


def _finite(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def resolve(cands: Sequence[Candidate], probs: np.ndarray, threshold: float) -> list[Span]:
    """Kept spans from scored candidates: the threshold, then greedy non-overlap by probability."""
    kept = [
        Span.voted(c.start, c.end, c.label, c.sources, round(float(p), 4))
        for c, p in zip(cands, probs) if p >= threshold and not math.isnan(p)
    ]
    return keep_non_overlapping(kept, key=lambda s: (-s.score, -(s.end - s.start), s.start))


@register_pass("learned_vote", requires=["candidates"], provides=["spans"])
def learned_vote(doc: RecognitionDoc, ctx: Any) -> None:
    """The sources' candidates kept by a trained classifier's probability, overlaps by probability."""
    learned = getattr(ctx, "learned", None)
    if learned is None:
        raise RuntimeError("learned_vote: no learned combiner loaded (models/zh_news_ner/learned_combiner.json)")
    doc.spans = learned.select(doc.text, doc.candidates, ctx.combiner.config.blocklist)
