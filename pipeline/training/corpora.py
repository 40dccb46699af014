"""Readers for the public corpora in ``../shared/corpora``, as (text, spans) examples.

All readers return the same record (``Example``) with labels already mapped to ours, so training
and evaluation never see a corpus's own tag set.  Text is width-normalised exactly as the
pipeline's ``normalize`` stage does (full-width digits and Latin letters to ASCII, one character
for one), so a model trained here sees what it will see at run time and offsets stay valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import REPO_DIR

DEFAULT_CORPORA = REPO_DIR.parent / "shared" / "corpora"

# Label of a span whose annotation is unknown: training marks its tokens missing (no loss either
# way) instead of outside.  Used where corpora disagree on a convention, see read_pd1998.
MISSING = "-"
# People's Daily tags that can hide what MSRA calls an entity: abbreviations (中/j 美/j 十五大/j),
# nouns (两岸/n 市委/n), other proper nouns (中华/nz), places-as-nouns (s), idioms (l), Ng.
PD1998_UNSURE_TAGS = frozenset({"j", "n", "nz", "s", "l", "b", "Ng"})

# One documented mapping per corpus.  Labels not listed are dropped (treated as O).
MSRA_LABELS = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}
PD1998_LABELS = {"nr": "PERSON", "ns": "PLACE", "nt": "ORG"}
CLUENER_LABELS = {
    "name": "PERSON",
    "government": "ORG",
    "organization": "ORG",
    "company": "ORG",
    "address": "PLACE",  # kept only when it is a short named place, see _cluener_address_ok
    "position": "TITLE",
}
# CLUENER types with no PERSON/PLACE/ORG counterpart whose spans a tagger may fairly read as a
# place or a name (西湖 as a scene, a street address, a person in a film title): predictions inside
# them are not scored (``Example.ignore``).  Street addresses dropped by _cluener_address_ok too.
CLUENER_IGNORED = frozenset({"address", "scene", "book", "game", "movie"})

_FW_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}


def normalize_width(text: str) -> str:
    """Full-width digits and Latin letters to ASCII, one character for one."""
    return text.translate(_FW_ALNUM)


@dataclass(frozen=True)
class Example:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, label), end exclusive
    source: str = ""
    # (start, end) regions gold leaves unlabelled on purpose (a type outside PERSON/PLACE/ORG that
    # a tagger may fairly read as one, e.g. CLUENER's scenic spots); scoring ignores predictions
    # inside them instead of counting them wrong.  Empty for corpora with a full mapping.
    ignore: tuple[tuple[int, int], ...] = ()


def read_msra(path: Path) -> Iterator[Example]:
    """MSRA NER in BIO, one character per line, blank line between sentences."""
    chars: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                if chars:
                    yield _from_bio(chars, tags, MSRA_LABELS, "msra")
                chars, tags = [], []
                continue
            ch, _, tag = line.partition("\t")
            chars.append(ch[:1] or " ")
            tags.append(tag.strip() or "O")
    if chars:
        yield _from_bio(chars, tags, MSRA_LABELS, "msra")


def _from_bio(chars: list[str], tags: list[str], mapping: dict[str, str], source: str) -> Example:
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        if start >= 0 and (prefix != "I" or typ != label):
            if label in mapping:
                spans.append((start, i, mapping[label]))
            start, label = -1, ""
        if prefix == "B" or (prefix == "I" and start < 0):
            start, label = i, typ
    return Example(normalize_width("".join(chars)), tuple(spans), source)


_PD_TOKEN = re.compile(r"^(\[)?(.+?)/([A-Za-z]+)(?:\](\w+))?$")


def read_pd1998(
    path: Path, unsure: frozenset[str] | set[str] = frozenset(), labels: Mapping[str, str] | None = None
) -> Iterator[Example]:
    """People's Daily 1998-01: ``word/tag`` tokens, bracketed compounds ``[a/n  b/n]nt``.

    Adjacent ``nr`` tokens are one person (surname and given name are separate tokens there);
    a bracketed ``nt``/``ns`` compound is one entity and hides the tags inside it.

    The two national corpora disagree on conventions: MSRA marks country abbreviations (中美's
    中 and 美), 两岸, 中华 and 十五大 as entities, People's Daily tags them ``j``/``n``/``nz``.
    Trained on both as-is, the model learns to miss them half the time.  A nominal token whose
    word is in ``unsure`` (strings the other corpus annotates as entities) becomes a ``MISSING``
    span, so the model takes the convention from the corpus that annotates it.  So does a word
    that contains such a string: People's Daily keeps 邓小平理论 one noun, MSRA marks the name in it.
    Where both annotate a name but disagree on its type (东盟: a place there, an organisation in
    MSRA), ``labels`` (the other corpus's settled type per string, ``entity_labels``) wins.
    """
    labels = labels or {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            tokens = line.split()
            if len(tokens) < 2:
                continue
            text, spans = _pd1998_paragraph(tokens[1:], unsure, labels)  # first token: the paragraph id
            if text:
                yield from _split_sentences(Example(text, tuple(spans), "pd1998"))


def _pd1998_paragraph(
    tokens: list[str], unsure: frozenset[str] | set[str], labels: Mapping[str, str]
) -> tuple[str, list[tuple[int, int, str]]]:
    """One People's Daily paragraph's ``word/tag`` tokens as (text, spans), by ``read_pd1998``'s
    rules.  Why apart from the reader: the reader owns the file and the sentence split, this the
    token grammar (persons joined, brackets, the other corpus's conventions), one paragraph at a time."""
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    bracket_start = -1
    bracket_part = 0  # index in ``parts`` of the bracket's first word
    prev_nr_end = -1
    for tok in tokens:
        m = _PD_TOKEN.match(tok)
        if not m:
            continue
        opens, word, tag, closes = m.groups()
        word = normalize_width(word)
        if opens:
            bracket_start = pos
            bracket_part = len(parts)
        start, end = pos, pos + len(word)
        parts.append(word)
        pos = end
        if bracket_start < 0:
            if tag == "nr":
                if prev_nr_end == start and spans and spans[-1][2] == "PERSON":
                    spans[-1] = (spans[-1][0], end, "PERSON")
                else:
                    spans.append((start, end, "PERSON"))
                prev_nr_end = end
            elif tag in PD1998_LABELS:
                spans.append((start, end, labels.get(word, PD1998_LABELS[tag])))
            elif (tag in PD1998_UNSURE_TAGS and word in unsure) or _holds_entity(word, unsure):
                spans.append((start, end, MISSING))
        if closes is not None:
            if closes in PD1998_LABELS:
                compound = "".join(parts[bracket_part:])
                spans.append((bracket_start, end, labels.get(compound, PD1998_LABELS[closes])))
            bracket_start = -1
    return "".join(parts), spans


def _holds_entity(word: str, unsure: frozenset[str] | set[str]) -> bool:
    """Whether a proper part (two characters or more) of ``word`` is in ``unsure``."""
    n = len(word)
    return n > 2 and any(word[i:j] in unsure for i in range(n - 1) for j in range(i + 2, n + 1) if j - i < n)


_SENT_END = re.compile(r"[。！？]+[”’」』）]?")


def _split_sentences(ex: Example) -> Iterator[Example]:
    """Split a paragraph at sentence ends that no entity crosses, to keep docs short."""
    cuts = [m.end() for m in _SENT_END.finditer(ex.text) if m.end() < len(ex.text)]
    cuts = [c for c in cuts if not any(s < c < e for s, e, _ in ex.spans)]
    bounds = [0, *cuts, len(ex.text)]
    for a, b in zip(bounds, bounds[1:]):
        spans = tuple((s - a, e - a, lab) for s, e, lab in ex.spans if s >= a and e <= b)
        yield Example(ex.text[a:b], spans, ex.source)


def _cluener_address_ok(surface: str) -> bool:
    """CLUENER 'address' mixes named places with street addresses; keep the named places."""
    return len(surface) <= 8 and not re.search(r"[0-9]", surface) and surface[-1] not in "号路街巷弄楼室层栋"


def read_cluener(path: Path, with_title: bool = False) -> Iterator[Example]:
    """CLUENER2020 JSON lines; end offsets there are inclusive."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            text = normalize_width(rec["text"])
            spans: list[tuple[int, int, str]] = []
            ignore: list[tuple[int, int]] = []
            for typ, ents in (rec.get("label") or {}).items():
                label = CLUENER_LABELS.get(typ)
                for surface, offsets in ents.items():
                    kept = label is not None and (label != "TITLE" or with_title) \
                        and (label != "PLACE" or _cluener_address_ok(surface))
                    for s, e in offsets:
                        if kept:
                            spans.append((s, e + 1, label))  # type: ignore[arg-type]
                        elif typ in CLUENER_IGNORED:
                            ignore.append((s, e + 1))
            yield Example(text, tuple(sorted(_drop_overlaps(spans))), "cluener", tuple(sorted(ignore)))


CLUENER_HELDOUT = 2500  # CLUENER train sentences never trained on: model selection, combiner fit
CLUENER_SPLIT_SEED = 17


def cluener_split(root: Path | None = None) -> tuple[list[Example], list[Example]]:
    """(training part, held-out part) of CLUENER train, a fixed seeded split.

    Why hold some out: the learned combiner is fitted on the taggers' output over text they were
    not trained on (stacking), and epochs and ensemble weights are chosen there too; CLUENER dev
    stays the untouched test set."""
    import random

    rows = [ex for ex in read_corpus("cluener-train", root) if ex.text.strip()]
    random.Random(CLUENER_SPLIT_SEED).shuffle(rows)
    return rows[CLUENER_HELDOUT:], rows[:CLUENER_HELDOUT]


def harmonise_cluener(rows: list[Example], unsure: set[str], longest: int = 12) -> list[Example]:
    """CLUENER examples for training under MSRA's conventions.

    Two kinds of text become MISSING (no loss either way) instead of O: the regions CLUENER marks
    with a type we do not map (scenes, works, street addresses: ``Example.ignore``), and unmarked
    occurrences of strings MSRA's training part annotates at least 3 times (``unsure``, two
    characters or more), such as a country named in passing.  CLUENER annotates what its fine
    types cover and little else; a tagger trained on its O's would learn to miss what MSRA marks.
    """
    out = []
    for ex in rows:
        taken = [False] * len(ex.text)
        for s, e, _ in ex.spans:
            taken[s:e] = [True] * (e - s)
        extra = [(s, e, MISSING) for s, e in ex.ignore if not any(taken[s:e])]
        for s, e, _ in extra:
            taken[s:e] = [True] * (e - s)
        n = len(ex.text)
        i = 0
        while i < n:
            hit = next((j for j in range(min(n, i + longest), i + 1, -1)
                        if ex.text[i:j] in unsure and not any(taken[i:j])), 0)
            if hit:
                extra.append((i, hit, MISSING))
                i = hit
            else:
                i += 1
        out.append(Example(ex.text, tuple(sorted([*ex.spans, *extra])), ex.source))
    return out


def _drop_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for s, e, lab in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(e <= ks or s >= ke for ks, ke, _ in kept):
            kept.append((s, e, lab))
    return kept


def corpus_path(name: str, root: Path | None = None) -> Path:
    root = Path(root) if root else DEFAULT_CORPORA
    paths = {
        "msra-train": root / "msra_ner" / "train.txt",
        "msra-test": root / "msra_ner" / "test.txt",
        "pd1998": root / "pd1998" / "199801.txt",
        "cluener-train": root / "cluener2020" / "train.json",
        "cluener-dev": root / "cluener2020" / "dev.json",
    }
    if name not in paths:
        raise KeyError(f"unknown corpus {name!r}; known: {', '.join(paths)}")
    return paths[name]


def _label_counts(examples: list[Example]) -> dict[str, dict[str, int]]:
    """surface -> label -> how often it is annotated so (MISSING spans are no annotation)."""
    counts: dict[str, dict[str, int]] = {}
    for ex in examples:
        for s, e, label in ex.spans:
            if label != MISSING:
                by = counts.setdefault(ex.text[s:e], {})
                by[label] = by.get(label, 0) + 1
    return counts


def entity_strings(examples: list[Example], min_count: int = 3) -> set[str]:
    """Surfaces annotated as an entity at least ``min_count`` times: the 'unsure' set above."""
    return {w for w, by in _label_counts(examples).items() if sum(by.values()) >= min_count}


def entity_labels(examples: list[Example], min_count: int = 3, share: float = 0.8) -> dict[str, str]:
    """Surfaces annotated at least ``min_count`` times, with one type in at least ``share`` of
    them: the type the corpus has settled on for that string."""
    out: dict[str, str] = {}
    for surface, by in _label_counts(examples).items():
        total = sum(by.values())
        label, top = max(by.items(), key=lambda kv: kv[1])
        if total >= min_count and top >= share * total:
            out[surface] = label
    return out


DOCUMENT_CHARS = 600  # about the longest article of the dev pages (580 characters; median 312)


def as_documents(examples: Iterable[Example], limit: int = DOCUMENT_CHARS) -> Iterator[Example]:
    """Consecutive sentences joined into texts of at most ``limit`` characters (a sentence longer
    than that is a text of its own), spans and ignored regions moved with them.

    Why: the repairs that read an article whole (a name read twice is that name wherever printed)
    never fire on one sentence, so on sentence sets they score zero whatever they do.  MSRA test
    keeps its news articles' sentences in order; its article boundaries are not marked, so a
    text may join the end of one article to the start of the next, which can only make such a
    repair look worse than it is."""
    text, spans, ignore, source = "", [], [], ""
    for ex in examples:
        if text and len(text) + len(ex.text) > limit:
            yield Example(text, tuple(spans), source, tuple(ignore))
            text, spans, ignore = "", [], []
        off = len(text)
        spans += [(a + off, b + off, lab) for a, b, lab in ex.spans]
        ignore += [(a + off, b + off) for a, b in ex.ignore]
        text += ex.text
        source = ex.source
    if text:
        yield Example(text, tuple(spans), source, tuple(ignore))


DOCUMENTS = "-docs"  # a corpus name with this ending is that corpus read as documents (``as_documents``)


def read_corpus(name: str, root: Path | None = None) -> Iterator[Example]:
    if name.endswith(DOCUMENTS):
        return as_documents(read_corpus(name.removesuffix(DOCUMENTS), root))
    path = corpus_path(name, root)
    if not path.exists():
        raise FileNotFoundError(f"{path}: corpus not found (expected ../shared/corpora beside the repo)")
    if name.startswith("msra"):
        return read_msra(path)
    if name == "pd1998":
        return read_pd1998(path)
    return read_cluener(path)
