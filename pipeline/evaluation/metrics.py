"""Scoring of recognised mentions, in the manner of the CLEF HIPE evaluations.

Two kinds of gold exist, and so two scorers:

* **span gold** (corpus dev sets): per document a list of ``(start, end, type)``.  ``score_spans``
  reports *strict* figures (exact span and type) and *fuzzy* ones (overlapping span, same type),
  as HIPE does, because a model that finds 平湖经开 where the gold says 平湖经济技术开发区 has found
  the entity and a reader should see that separately from boundary errors.
* **page gold** (hand-annotated newspaper pages, ``tests/data/gold`` and ``tests/data/dev``): per
  article, which names occur how often, with role and canonical name.  Character offsets are not
  annotated because they would tie the gold to one version of the article splitter and text
  normaliser; ``(article_no, type, surface, count)`` survives changes to both.  ``score_page``
  matches on that key with counts, and also on ``(type, surface)`` over the whole page, so an
  article-splitting error can be told apart from a recognition error.

The gold files' own consistency (does each surface really occur ``count`` times in its article?)
is checked by ``gold_check.check_page_gold``; see ``tests/data/gold/GUIDELINES.md`` for how they were made.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.records import ENTITY_TYPES, Mention

SpanTuple = tuple[int, int, str]
MICRO = "ALL"
GOLD_COLUMNS = ("article_no", "type", "surface", "canonical", "role", "count")
# Optional seventh column: 1 when the mention is the organisation or place printed inside an
# official's title (市委 in 市委书记), as the county pages by another annotator mark it.
TITLE_COLUMN = "in_title"


# --------------------------------------------------------------------------------------------
# Counts and tables


@dataclass
class PRF:
    """True/false positives and false negatives of one type; P/R/F1 derived, never stored.

    Derived on demand so that summing two ``PRF`` (micro averaging) can never leave a stale
    ratio behind.  Every ratio with an empty denominator is 0.0, not an error: an empty
    prediction set has precision 0 by convention here (HIPE scorer does the same).
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_json(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _empty_types() -> dict[str, PRF]:
    return {t: PRF() for t in ENTITY_TYPES}


@dataclass
class TypeTable:
    """Counts per entity type; the micro average is the sum over types.

    The three project types are always present (with zeros) so that tables of different runs
    line up row for row; other labels a recogniser may emit (TITLE) get rows of their own.
    """

    by_type: dict[str, PRF] = field(default_factory=_empty_types)

    def get(self, label: str) -> PRF:
        return self.by_type.setdefault(label, PRF())

    @property
    def micro(self) -> PRF:
        total = PRF()
        for prf in self.by_type.values():
            total = total + prf
        return total

    def rows(self) -> list[tuple[str, PRF]]:
        """Per-type rows in a fixed order (project types first), then the micro row."""
        extra = sorted(t for t in self.by_type if t not in ENTITY_TYPES)
        return [(t, self.by_type[t]) for t in (*ENTITY_TYPES, *extra) if t in self.by_type] + [
            (MICRO, self.micro)
        ]

    def to_json(self) -> dict[str, dict[str, float | int]]:
        return {label: prf.to_json() for label, prf in self.rows()}


@dataclass
class Accuracy:
    """A fraction with its parts kept, so that "0 of 0" is reported as such and not as 0%."""

    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_json(self) -> dict[str, float | int | None]:
        v = self.value
        return {"accuracy": None if v is None else round(v, 4), "correct": self.correct, "total": self.total}


# --------------------------------------------------------------------------------------------
# Span scoring


@dataclass
class Scores:
    """Span-level scores: strict (exact span and type) and fuzzy (overlap and type)."""

    strict: TypeTable = field(default_factory=TypeTable)
    fuzzy: TypeTable = field(default_factory=TypeTable)
    documents: int = 0

    def to_json(self) -> dict[str, object]:
        return {"documents": self.documents, "strict": self.strict.to_json(), "fuzzy": self.fuzzy.to_json()}


def _strict_doc(gold: Sequence[SpanTuple], pred: Sequence[SpanTuple], table: TypeTable) -> None:
    g, p = Counter(gold), Counter(pred)
    for key in g.keys() | p.keys():
        label = key[2]
        tp = min(g[key], p[key])
        prf = table.get(label)
        prf.tp += tp
        prf.fp += p[key] - tp
        prf.fn += g[key] - tp


def _fuzzy_doc(gold: Sequence[SpanTuple], pred: Sequence[SpanTuple], table: TypeTable) -> None:
    """Greedy one-to-one matching by largest overlap, ties broken by position for determinism.

    Greedy rather than optimal assignment because that is what HIPE's scorer does and because
    with non-nested gold the two almost never differ; determinism matters more than the last
    match in a pathological overlap chain.
    """
    pairs: list[tuple[int, int, int]] = []
    for gi, (gs, ge, gl) in enumerate(gold):
        for pi, (ps, pe, pl) in enumerate(pred):
            if gl != pl:
                continue
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                pairs.append((-overlap, gi, pi))
    pairs.sort()
    gold_used: set[int] = set()
    pred_used: set[int] = set()
    for _neg, gi, pi in pairs:
        if gi in gold_used or pi in pred_used:
            continue
        gold_used.add(gi)
        pred_used.add(pi)
        table.get(gold[gi][2]).tp += 1
    for gi, (_s, _e, label) in enumerate(gold):
        if gi not in gold_used:
            table.get(label).fn += 1
    for pi, (_s, _e, label) in enumerate(pred):
        if pi not in pred_used:
            table.get(label).fp += 1


def score_spans(gold: Sequence[Sequence[SpanTuple]], pred: Sequence[Sequence[SpanTuple]]) -> Scores:
    """Strict and fuzzy P/R/F1 over documents given as lists of ``(start, end, type)``.

    ``gold`` and ``pred`` are parallel: document ``i`` of one is document ``i`` of the other.  A
    length mismatch is an error rather than a silent truncation, because it nearly always means
    a document was dropped upstream and every later document is then compared with the wrong one.
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} documents, predictions {len(pred)}")
    scores = Scores(documents=len(gold))
    for g, p in zip(gold, pred):
        g_list = [(int(s), int(e), str(t)) for s, e, t in g]
        p_list = [(int(s), int(e), str(t)) for s, e, t in p]
        _strict_doc(g_list, p_list, scores.strict)
        _fuzzy_doc(g_list, p_list, scores.fuzzy)
    return scores


# --------------------------------------------------------------------------------------------
# Page gold: reading, writing, building from mentions

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’]")
_ASCII_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


def normalize_punctuation(text: str) -> str:
    """ASCII , : ; ? ! ( ) next to a CJK character become their full-width forms.

    OCR output mixes the two widths at random (``银(院)`` and ``银（院）`` are the same print), and
    the gold records surfaces in the full-width form, so both the gold check and the matcher
    compare texts after this one normalisation.  One character for one, so offsets stay valid;
    ASCII punctuation between digits or Latin letters (``1,000``) is left alone.
    """
    chars = list(text)
    for i, ch in enumerate(chars):
        full = _ASCII_TO_FULL.get(ch)
        if full is None:
            continue
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if _CJK.match(before or " ") or _CJK.match(after or " "):
            chars[i] = full
    return "".join(chars)


def norm_surface(surface: str) -> str:
    return re.sub(r"\s+", "", normalize_punctuation(surface.strip()))


@dataclass(frozen=True)
class GoldRow:
    """One (article, type, surface) of a page with its count, role and canonical name.

    Used for predictions too (built by ``rows_from_mentions``), so gold and predictions are the
    same shape and one file format serves both.
    """

    article_no: int  # 1-based, in page order
    type: str
    surface: str
    canonical: str = ""
    role: str = ""
    count: int = 1
    in_title: bool = False

    @property
    def key(self) -> tuple[int, str, str, bool]:
        """(article, type, surface, in_title): a body printed inside a title and the same body
        acting are two rows, so neither can stand in for the other."""
        return (self.article_no, self.type, norm_surface(self.surface), self.in_title)


def without_titles(rows: Iterable[GoldRow]) -> list[GoldRow]:
    """The rows an analyst counting bodies as actors sees: title parts left out (the project's
    own gold has none, so its scores are the same either way)."""
    return [r for r in rows if not r.in_title]


def read_page_gold(path: str | Path) -> list[GoldRow]:
    """Read a page gold TSV (header ``article_no type surface canonical role count``, optionally
    followed by ``in_title`` with 0 or 1).

    Blank lines and lines starting with ``#`` are skipped so annotators can leave notes.  Any
    malformed line raises ``ValueError`` naming file and line: a silently skipped gold row
    would inflate every later score.
    """
    path = Path(path)
    rows: list[GoldRow] = []
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [(n, line.rstrip("\r\n")) for n, line in enumerate(fh, 1)]
    content = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        raise ValueError(f"{path}: empty gold file")
    header_no, header = content[0]
    names = tuple(c.strip() for c in header.split("\t"))
    if names not in (GOLD_COLUMNS, (*GOLD_COLUMNS, TITLE_COLUMN)):
        raise ValueError(
            f"{path}:{header_no}: header must be {' '.join(GOLD_COLUMNS)!r} [+ {TITLE_COLUMN!r}] (tab-separated)"
        )
    for n, line in content[1:]:
        cols = line.split("\t")
        if len(cols) != len(names):
            raise ValueError(f"{path}:{n}: expected {len(names)} tab-separated columns, got {len(cols)}")
        art, typ, surface, canonical, role, count = (c.strip() for c in cols[:6])
        flag = cols[6].strip() if len(cols) > 6 else "0"
        if flag not in ("0", "1"):
            raise ValueError(f"{path}:{n}: {TITLE_COLUMN} must be 0 or 1")
        try:
            art_no, cnt = int(art), int(count)
        except ValueError:
            raise ValueError(f"{path}:{n}: article_no and count must be integers") from None
        if art_no < 1 or cnt < 1:
            raise ValueError(f"{path}:{n}: article_no and count must be >= 1")
        if typ not in ENTITY_TYPES:
            raise ValueError(f"{path}:{n}: type {typ!r} is not one of {', '.join(ENTITY_TYPES)}")
        if not surface:
            raise ValueError(f"{path}:{n}: empty surface")
        rows.append(GoldRow(art_no, typ, surface, canonical, role, cnt, flag == "1"))
    return rows


def write_page_gold(path: str | Path, rows: Iterable[GoldRow]) -> None:
    """Write rows in the gold TSV format (e.g. a run's predictions, for diffing against gold)."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        w.writerow((*GOLD_COLUMNS, TITLE_COLUMN))
        for r in sorted(rows, key=lambda r: (r.article_no, r.type, r.surface, r.in_title)):
            w.writerow([r.article_no, r.type, r.surface, r.canonical, r.role, r.count, int(r.in_title)])


def _most_common_nonempty(values: Iterable[str]) -> str:
    c = Counter(v for v in values if v)
    return c.most_common(1)[0][0] if c else ""


def rows_from_mentions(mentions: Iterable[Mention], article_no: Mapping[str, int]) -> list[GoldRow]:
    """Collapse a page's mentions into rows: one per (article_no, type, surface), with counts.

    ``article_no`` maps ``Mention.article_id`` to the 1-based position of the article on the
    page.  Role and canonical are the most frequent non-empty values among the collapsed
    mentions, because the gold records one role per person per article (inherited roles make
    all mentions agree in a correct run; in a wrong run the majority is the fairest summary).
    """
    groups: dict[tuple[int, str, str, bool], list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[(article_no[m.article_id], m.type, norm_surface(m.surface), m.in_title)].append(m)
    return [
        GoldRow(
            art,
            typ,
            surface,
            canonical=_most_common_nonempty(m.canonical for m in ms),
            role=_most_common_nonempty(m.role for m in ms),
            count=len(ms),
            in_title=in_title,
        )
        for (art, typ, surface, in_title), ms in groups.items()
    ]


# --------------------------------------------------------------------------------------------
# Page scoring


@dataclass
class PageScores:
    """Scores of predicted page rows against gold rows.

    ``by_article`` is the primary figure (key: article, type, surface); ``bag`` ignores the
    article so that a splitter that cuts a page differently is not charged twice per mention.
    """

    by_article: TypeTable = field(default_factory=TypeTable)
    bag: TypeTable = field(default_factory=TypeTable)
    role: Accuracy = field(default_factory=Accuracy)
    linking: Accuracy = field(default_factory=Accuracy)
    linking_by_type: dict[str, Accuracy] = field(default_factory=dict)
    pages: int = 1

    def to_json(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "by_article": self.by_article.to_json(),
            "bag": self.bag.to_json(),
            "role_accuracy": self.role.to_json(),
            "linking_accuracy": self.linking.to_json(),
            "linking_by_type": {t: a.to_json() for t, a in sorted(self.linking_by_type.items())},
        }

    def __add__(self, other: PageScores) -> PageScores:
        """Pool two pages' counts (micro over pages)."""

        def add_tables(a: TypeTable, b: TypeTable) -> TypeTable:
            out = TypeTable()
            for label in a.by_type.keys() | b.by_type.keys():
                out.by_type[label] = a.get(label) + b.get(label)
            return out

        def add_acc(a: Accuracy, b: Accuracy) -> Accuracy:
            return Accuracy(a.correct + b.correct, a.total + b.total)

        return PageScores(
            by_article=add_tables(self.by_article, other.by_article),
            bag=add_tables(self.bag, other.bag),
            role=add_acc(self.role, other.role),
            linking=add_acc(self.linking, other.linking),
            linking_by_type={
                t: add_acc(self.linking_by_type.get(t, Accuracy()), other.linking_by_type.get(t, Accuracy()))
                for t in self.linking_by_type.keys() | other.linking_by_type.keys()
            },
            pages=self.pages + other.pages,
        )


def _count_table(gold: Mapping[tuple, int], pred: Mapping[tuple, int], type_index: int) -> TypeTable:
    table = TypeTable()
    for key in gold.keys() | pred.keys():
        g, p = gold.get(key, 0), pred.get(key, 0)
        tp = min(g, p)
        prf = table.get(key[type_index])
        prf.tp += tp
        prf.fp += p - tp
        prf.fn += g - tp
    return table


def score_page(gold_rows: Iterable[GoldRow], predicted_rows: Iterable[GoldRow]) -> PageScores:
    """Count-based matching of predicted rows against gold rows of one page (or several pooled).

    TP = min(gold count, predicted count) per key, FP and FN the remainders.  Role accuracy is
    over gold PERSON rows with a role: the predicted PERSON row with the same article and surface
    must carry the same role (a missing row or an empty role counts as wrong, since the reader
    gets no role).  Linking accuracy is over gold rows with a canonical name: the predicted row
    with the same key must carry that canonical name.
    """
    gold_rows, predicted_rows = list(gold_rows), list(predicted_rows)
    g_art: Counter[tuple[int, str, str, bool]] = Counter()
    p_art: Counter[tuple[int, str, str, bool]] = Counter()
    g_bag: Counter[tuple[str, str, bool]] = Counter()
    p_bag: Counter[tuple[str, str, bool]] = Counter()
    for r in gold_rows:
        g_art[r.key] += r.count
        g_bag[r.key[1:]] += r.count
    pred_by_key: dict[tuple[int, str, str, bool], GoldRow] = {}
    for r in predicted_rows:
        p_art[r.key] += r.count
        p_bag[r.key[1:]] += r.count
        pred_by_key.setdefault(r.key, r)

    scores = PageScores(by_article=_count_table(g_art, p_art, 1), bag=_count_table(g_bag, p_bag, 0))
    for r in gold_rows:
        pred = pred_by_key.get(r.key)
        if r.type == "PERSON" and r.role:
            scores.role.total += 1
            scores.role.correct += int(pred is not None and pred.role.strip() == r.role.strip())
        if r.canonical:
            ok = int(pred is not None and pred.canonical.strip() == r.canonical.strip())
            scores.linking.total += 1
            scores.linking.correct += ok
            acc = scores.linking_by_type.setdefault(r.type, Accuracy())
            acc.total += 1
            acc.correct += ok
    return scores


# --------------------------------------------------------------------------------------------
# Output


def _table_lines(table: TypeTable) -> list[str]:
    lines = [f"{'type':<8}{'P':>8}{'R':>8}{'F1':>8}{'TP':>7}{'FP':>7}{'FN':>7}"]
    for label, prf in table.rows():
        lines.append(
            f"{label:<8}{prf.precision:>8.3f}{prf.recall:>8.3f}{prf.f1:>8.3f}{prf.tp:>7}{prf.fp:>7}{prf.fn:>7}"
        )
    return lines


def _acc_line(name: str, acc: Accuracy) -> str:
    v = acc.value
    return f"{name}: {'n/a' if v is None else f'{v:.3f}'} ({acc.correct}/{acc.total})"


def format_table(scores: Scores | PageScores | TypeTable, title: str = "") -> str:
    """Plain-text table(s) of P/R/F1 with the raw counts, for terminals and commit messages."""
    out: list[str] = [title, "=" * max(len(title), 8)] if title else []
    if isinstance(scores, TypeTable):
        out += _table_lines(scores)
    elif isinstance(scores, Scores):
        out += [f"strict ({scores.documents} documents)", *_table_lines(scores.strict), ""]
        out += ["fuzzy", *_table_lines(scores.fuzzy)]
    elif isinstance(scores, PageScores):
        out += [f"by article ({scores.pages} pages)", *_table_lines(scores.by_article), ""]
        out += ["page bag (article ignored)", *_table_lines(scores.bag), ""]
        out.append(_acc_line("role accuracy", scores.role))
        out.append(_acc_line("linking accuracy", scores.linking))
        for t, acc in sorted(scores.linking_by_type.items()):
            out.append("  " + _acc_line(t, acc))
    else:
        raise TypeError(f"cannot format {type(scores).__name__}")
    return "\n".join(out)


def to_json(scores: Scores | PageScores | TypeTable) -> dict[str, object]:
    """A JSON-ready dict (ratios rounded to 4 places, counts kept) of any score object."""
    return scores.to_json()
