"""Structural repairs of combined spans, from how Chinese names are built, not from any name list.

Each repair is its own registered pass (``registry.register_pass``), listed by name in
``recognize.cfg`` and switchable off for an ablation; the word lists they consult are package
lexicons (``pipeline/lexicons/``), each with its source.

* ``drop_single_chars``: a span of one character is dropped unless our model proposed it: LAC
  and the ruler emit them when they split a word (当 + 湖街道), while the model learned the
  abbreviations national news prints as entities (中美's 中 and 美, 港澳台).
* ``drop_split_names`` (before the vote): a gazetteer name that ends inside a dictionary word
  is no name there: 组织部 in 组织部分企业 (组织 + 部分).
* ``drop_generic_places``: a bare administrative word (街道, 社区, 村 ...) is not a place.
* ``extend_settlements`` (and ``settle_candidates`` before the vote): a name followed at once by
  a settlement suffix is that settlement: X + 社区 → PLACE X社区.
* ``cut_locatives``: a locative stuck to a settlement is cut off: X村里 → X村.
* ``propagate_people``: a person's name found once in an article is the same person where it is
  printed again and no tagger saw it (document-level consistency, as in every newspaper NER
  system since MUC); a name printed before 同志 is a person: 张某某同志.
* ``trim_places``: descriptive words are not part of a place: 钟埭集镇 → 钟埭, 浙北地区 → 浙北;
  平湖市民 and 平湖市域 read 平湖 + 市民/市域; the epithet 美丽 is not part of a name.
* ``drop_policy_words``: 美丽乡村, 和美乡村 are policy words, not villages.
* ``standing_organs``: a body's standing organ is one ORG with it: 市委 + 理论学习中心组 / 常委会.
* ``company_names``: a company's registered name keeps its bracketed place: X（平湖）有限公司 is
  one ORG, not an ORG X plus a PLACE, as the business register prints it.
* ``resolve_overlaps``: what the repairs lengthened may overlap; longest first wins.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import replace

from pipeline import lexicons as lexicon
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.occurrences import occurrences
from pipeline.recognize.overlap import IntervalIndex, by_length, keep_non_overlapping
from pipeline.recognize.registry import register_pass
from pipeline.recognize.spacy_model import MODEL_SOURCE
from pipeline.records import Span

SETTLEMENT = lexicon.entries("settlement_suffixes")
ADMIN_LEVELS = lexicon.entries("admin_levels")
GENERIC_PLACE_WORDS = lexicon.load("generic_place_words")
DESCRIPTIVE_SUFFIXES = lexicon.entries("descriptive_place_suffixes")
CITY_WORDS = "".join(lexicon.entries("city_compounds"))  # X市 + 民/域/区 is X + 市民/市域/市区
EPITHETS = lexicon.entries("place_epithets")
NOT_NAME_ENDINGS = lexicon.entries("policy_word_endings")
NOT_PLACE_BEFORE = lexicon.entries("not_place_before")
ORGANS = lexicon.entries("standing_organs")
LOCATIVE = "".join(lexicon.entries("locatives"))
# The most common surnames (package lexicon); a cue is only trusted after one of them.
SURNAMES = lexicon.load("surnames")
_COMPANY = re.compile(
    r"[（(][\u4e00-\u9fff]{2,6}[)）][\u4e00-\u9fff]{0,8}?(?:" + "|".join(lexicon.entries("company_suffixes")) + ")"
)
_NAME_BREAK = re.compile(r"[\s，。、；：！？“”‘’《》,.;:!?\"]")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_COMRADE = re.compile(r"([\u4e00-\u9fff]{2,3}?)同志")


def repair(text: str, spans: Sequence[Span], candidates: Sequence[Span] = (), preset: str = "combined") -> list[Span]:
    """The preset's passes after the vote (the repairs) on one text's voted ``spans``.

    ``candidates`` (every source's proposals before the vote) only anchor company names.  For
    tests and notebooks; the stage runs the same passes from its plan."""
    from pipeline.recognize.config import VOTE_PASSES, load
    from pipeline.recognize.registry import Plan

    names = load(preset).passes
    slot = next(i for i, name in enumerate(names) if name in VOTE_PASSES)
    after_vote = names[slot + 1 :]
    doc = RecognitionDoc(text, candidates={"candidates": list(candidates)}, spans=list(spans))
    for p in Plan.build(after_vote, inputs=("text", "candidates", "spans")).for_texts:
        p.run([doc], None)
    return doc.spans


def extend_settlements(text: str, spans: Sequence[Span]) -> list[Span]:
    """X + 社区/村/街道/镇/乡 printed right after a PERSON/PLACE span X is the settlement X社区."""
    return [_settled(text, s) for s in spans]


def _settled(text: str, s: Span) -> Span:
    # A span already ending in an administrative level is a whole division, not a settlement's
    # stem: 和平区 + 社区 are the district's communities, 平湖市 + 村 its villages.
    surface = text[s.start : s.end]
    if s.label not in ("PERSON", "PLACE") or len(surface) < 2 or surface.endswith(ADMIN_LEVELS) \
            or not _HAN.match(surface):
        return s
    for suffix in SETTLEMENT:
        if text.startswith(suffix, s.end) and not text.startswith(suffix + "村", s.end):  # 乡村
            return replace(s, end=s.end + len(suffix), label="PLACE")
    return s


@register_pass("drop_split_names", requires=["candidates"], provides=["candidates"])
def drop_split_names(doc: RecognitionDoc, _ctx: object) -> None:
    """A gazetteer name ending inside a dictionary word is not proposed there (组织部 in 组织部分)."""
    gazetteer = doc.candidates.get("gazetteer")
    if gazetteer:
        doc.candidates["gazetteer"] = _not_ending_inside_words(doc.text, gazetteer)


def _not_ending_inside_words(text: str, spans: list[Span]) -> list[Span]:
    """The spans that do not end inside a word of two or more characters that jieba cuts from the
    text and its dictionary lists: 组织部分企业 is 组织 + 部分 (organise some firms), not the
    party's 组织部; 平湖市民 is 平湖 + 市民.  Only the end, and only dictionary words: a county's
    own names are often unknown to jieba and cut anywhere (市发 + 改局, 钟 + 埭 + 街道), and a
    name's first character often joins the word before it (和平 + 湖 in 嘉兴和平湖).  On MSRA
    test and CLUENER dev most of the ruler's names that cut a word are wrong (README "Accuracy")."""
    from pipeline.model.wordseg import is_known_word, word_bounds

    bounds = word_bounds(text)
    kept = []
    for s in spans:
        k = bisect_right(bounds, s.end) - 1  # the word holding the span's end: bounds[k] <= end
        if bounds[k] == s.end or not is_known_word(text[bounds[k] : bounds[k + 1]]):
            kept.append(s)
    return kept


@register_pass("settle_candidates", requires=["candidates"], provides=["candidates"])
def settle_candidates(doc: RecognitionDoc, _ctx: object) -> None:
    """Settlement suffixes on each source's candidates before the vote (梅兴 + 社区 = 梅兴社区).

    So that 梅兴 (one tagger) and 梅兴社区 (another) are the same proposal and agree."""
    doc.candidates = {src: extend_settlements(doc.text, spans) for src, spans in doc.candidates.items()}


@register_pass("extend_settlements", requires=["spans"], provides=["spans"])
def extend_settlements_pass(doc: RecognitionDoc, _ctx: object) -> None:
    """X + 社区 after a kept span is the settlement X社区 (X村 + 村民 stays X村)."""
    doc.spans = extend_settlements(doc.text, doc.spans)


@register_pass("trim_places", requires=["spans"], provides=["spans"])
def trim_places(doc: RecognitionDoc, _ctx: object) -> None:
    """Descriptive suffixes, epithets and 市民/市域 readings cut off places."""
    begins_word = _WordStarts(doc.text)
    doc.spans = [_trim_place(doc.text, s, begins_word) if s.label == "PLACE" else s for s in doc.spans]


def _trim_place(text: str, s: Span, begins_word: Callable[[int], bool]) -> Span:
    start, end = s.start, s.end
    for epithet in EPITHETS:
        if text.startswith(epithet, start) and end - start > len(epithet):
            start += len(epithet)
    for suffix in DESCRIPTIVE_SUFFIXES:
        if text[start:end].endswith(suffix) and end - start - len(suffix) >= 2:
            end -= len(suffix)
            break
    if end - start >= 3 and text[end - 1] == "市" and end < len(text) and text[end] in CITY_WORDS \
            and not begins_word(end):
        end -= 1
    if (start, end) == (s.start, s.end):
        return s
    return replace(s, start=start, end=end)


class _WordStarts:
    """Whether jieba cuts a word of two or more characters starting at an offset of one text:
    区域性 in 盘锦市区域性 (盘锦市 + 区域性), 民族 in 嘉兴市民族宗教局; not in 桐乡市民和 (桐乡 + 市民 +
    和) or 桐乡市域 (桐乡市 + 域).  The text is cut once, on the first question, not per span, and
    each question is a bisection of its word bounds (a set of every word start of a one-line file,
    issue 33, held millions of ints)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._bounds: Sequence[int] | None = None

    def __call__(self, i: int) -> bool:
        if self._bounds is None:
            from pipeline.model.wordseg import word_bounds

            self._bounds = word_bounds(self.text)
        bounds = self._bounds
        k = bisect_left(bounds, i)  # bounds ascend strictly: the word starting at i ends at bounds[k + 1]
        return k + 1 < len(bounds) and bounds[k] == i and bounds[k + 1] - i >= 2


@register_pass("drop_single_chars", requires=["spans"], provides=["spans"])
def drop_single_chars(doc: RecognitionDoc, _ctx: object) -> None:
    """One-character spans go unless our model proposed them."""
    doc.spans = [s for s in doc.spans if s.end - s.start >= 2 or MODEL_SOURCE in s.provenance]


@register_pass("drop_generic_places", requires=["spans"], provides=["spans"])
def drop_generic_places(doc: RecognitionDoc, _ctx: object) -> None:
    """Bare administrative words (街道, 全市) and transport modes (海河 + 联运) are no places."""
    text = doc.text
    doc.spans = [
        s for s in doc.spans
        if not (s.label == "PLACE" and (text[s.start : s.end] in GENERIC_PLACE_WORDS
                                        or text.startswith(NOT_PLACE_BEFORE, s.end)))
    ]


@register_pass("drop_policy_words", requires=["spans"], provides=["spans"])
def drop_policy_words(doc: RecognitionDoc, _ctx: object) -> None:
    """美丽乡村, 和美 + 乡村: policy words, not villages."""
    doc.spans = [s for s in doc.spans if not (s.label == "PLACE" and doc.surface(s).endswith(NOT_NAME_ENDINGS))]


@register_pass("standing_organs", requires=["spans"], provides=["spans"])
def standing_organs(doc: RecognitionDoc, _ctx: object) -> None:
    """市委 + 常委会 / 党组 / 理论学习中心组 is one ORG."""
    doc.spans = [_with_organ(doc.text, s) if s.label == "ORG" else s for s in doc.spans]


def _with_organ(text: str, s: Span) -> Span:
    surface = text[s.start : s.end]
    for organ in ORGANS:
        if text.startswith(organ, s.end) and not surface.endswith(organ):
            return replace(s, end=s.end + len(organ))
    return s


@register_pass("cut_locatives", requires=["spans"], provides=["spans"])
def cut_locatives(doc: RecognitionDoc, _ctx: object) -> None:
    """X村里 → X村: a locative after a settlement is not part of it."""
    text = doc.text
    doc.spans = [
        replace(s, end=s.end - 1)
        if s.label == "PLACE" and s.end - s.start >= 3 and text[s.end - 1] in LOCATIVE
        and text[s.start : s.end - 1].endswith(SETTLEMENT) else s
        for s in doc.spans
    ]


@register_pass("company_names", requires=["spans", "candidates"], provides=["spans"])
def company_names(doc: RecognitionDoc, _ctx: object) -> None:
    """Registered company names with a bracketed place, X（平湖）有限公司, added as one ORG."""
    doc.spans = [*_company_names(doc.text, doc.spans, doc.all_candidates()), *doc.spans]


@register_pass("resolve_overlaps", requires=["spans"], provides=["spans"])
def resolve_overlaps(doc: RecognitionDoc, _ctx: object) -> None:
    """Longest first, keep what does not overlap what is kept."""
    doc.spans = keep_non_overlapping(doc.spans, key=by_length)


def _company_names(text: str, spans: list[Span], candidates: Sequence[Span] = ()) -> list[Span]:
    """Registered company names with a bracketed place, X（平湖）有限公司, as one ORG.

    The name before the bracket starts at the first span (kept, or proposed by any source) that
    starts after the last punctuation mark before the bracket and ends at the bracket at the
    latest (辖区内华丰纺织 → 华丰纺织); it has 2-12 characters.  Nothing anchored, nothing emitted:
    guessing the start from punctuation alone reads 他在区内华丰纺织 as a name.
    """
    if "公司" not in text:
        return []
    # By start, so each match looks only at the spans starting in its few characters: a scan of
    # every span per match made a one-line file (issue 33) cost matches x spans.
    anchors = sorted((sp.start, sp.end) for sp in (*spans, *candidates))
    anchor_starts = [a for a, _ in anchors]
    kept = sorted((sp.start, sp.score) for sp in spans)
    kept_starts = [a for a, _ in kept]
    out: list[Span] = []
    for m in _COMPANY.finditer(text):
        lo = max(0, m.start() - 12)
        breaks = [b.end() for b in _NAME_BREAK.finditer(text, lo, m.start())]
        lo = breaks[-1] if breaks else lo
        inside = [a for a, b in anchors[bisect_left(anchor_starts, lo) : bisect_left(anchor_starts, m.start())]
                  if b <= m.start()]
        if not inside:
            continue
        start = min(inside)
        if m.start() - start < 2 or not _HAN.match(text[start : m.start()]):
            continue
        scores = [sc for _, sc in kept[bisect_left(kept_starts, start) : bisect_left(kept_starts, m.end())]]
        out.append(Span(start, m.end(), "ORG", "company", max(scores, default=0.8)))
    return out


@register_pass("propagate_people", requires=["spans"], provides=["spans"])
def propagate_people(doc: RecognitionDoc, _ctx: object) -> None:
    """A person's name read once is that person wherever else the article prints it."""
    doc.spans = _propagate_people(doc.text, doc.spans)


@register_pass("propagate_names", requires=["spans"], provides=["spans"])
def propagate_names(doc: RecognitionDoc, _ctx: object) -> None:
    """A place/organisation name read twice is that entity wherever else it is printed."""
    doc.spans = _propagate_names(doc.text, doc.spans)


def _propagate_people(text: str, spans: list[Span]) -> list[Span]:
    # Only surfaces that look like personal names and that no source reads as something else
    # in this article (a surface tagged PERSON once and PLACE elsewhere is not propagated).
    other = {text[s.start : s.end] for s in spans if s.label != "PERSON"}
    # A name qualifies by a common surname, or because two sources agreed on it (习 is no common
    # surname, but a name two taggers both read is a name wherever it is printed again).
    names = {
        text[s.start : s.end]
        for s in spans
        if s.label == "PERSON" and 2 <= s.end - s.start <= 4 and (text[s.start] in SURNAMES or len(s.provenance) > 1)
    } - other
    covered = IntervalIndex((s.start, s.end) for s in spans).overlaps  # = _covered(spans, ...), by bisection
    for m in _COMRADE.finditer(text):
        name = m.group(1)
        # 新任命的同志: a name never ends in a particle, though 任 is a surname
        if name[0] in SURNAMES and name[-1] not in "的了着们" and not covered(m.start(1), m.end(1)):
            names.add(name)
    return _tag_other_occurrences(text, spans, dict.fromkeys(names, "PERSON"))


def _propagate_names(text: str, spans: list[Span]) -> list[Span]:
    """A place or organisation name the taggers read at least twice in an article, and never as
    anything else there, is that entity wherever else it is printed in the article (one sense per
    discourse).  Why: a local name no dictionary knows (an old name of a town, a new industrial
    park) is read in the contexts that give it away and missed in slogans and event names, and a
    known one (香港, 东盟) is still missed now and then in a list or an odd context.  Twice, not
    once: a single reading may be the error that propagation would multiply.  Where such a name
    is printed but the taggers kept only a shorter span inside it (上海 in one 上海塘 of three, the
    river), the name replaces that span; longer names go first, so a known name read twice (上海)
    is not spread into a longer one read twice (上海塘).

    Names the general dictionary knows were once left out, on the argument that where the taggers
    missed one it was usually part of a longer name; MSRA test read as documents says otherwise
    (0.9194 -> 0.9239 with them, 71 spans gained and 25 wrong added; the dev pages and the
    sample page unchanged; README "Accuracy")."""
    readings: dict[str, list[str]] = {}  # surface -> the label of each span of it
    for s in spans:
        readings.setdefault(text[s.start : s.end], []).append(s.label)
    names = {
        surface: labels[0]
        for surface, labels in readings.items()
        if len(labels) >= 2 and len(set(labels)) == 1 and labels[0] in ("PLACE", "ORG")
        and len(surface) >= 2 and _HAN.match(surface)
    }
    return _tag_other_occurrences(text, spans, names, absorb_shorter=True)


def _tag_other_occurrences(text: str, spans: list[Span], names: dict[str, str],
                           absorb_shorter: bool = False) -> list[Span]:
    """Each name (to its label) wherever it is printed and no kept span covers it; longest first.
    ``absorb_shorter``: also where the only kept spans there lie inside the occurrence and are
    shorter than it; they give way to the name."""
    if not names:
        return spans
    standing = _SpansByStart(spans)
    # Every place each name is printed, in one reading of the text (``occurrences``): a
    # ``text.find`` loop per name read a one-line file once per name (issue 33).  Each name still
    # takes its places left to right, the next one at or after the end of the last.
    printed = occurrences(text, names)
    for name in sorted(names, key=len, reverse=True):
        end = 0
        for start in printed[name]:
            if start < end:
                continue
            end = start + len(name)
            inner: list[Span] = []
            hit = standing.overlapping(start, end)
            if hit:
                inner = _inside_only(hit, start, end) if absorb_shorter else []
                if not inner:
                    continue
            for s in inner:
                standing.remove(s)
            standing.add(Span(start, end, names[name], "consistency", 0.8))
    return standing.spans()


class _SpansByStart:
    """Spans indexed by start, so the few overlapping an occurrence are found without a scan of
    every span (a 100,000-character line holds thousands)."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self._at: dict[int, list[Span]] = {}
        self._longest = 0
        for s in spans:
            self.add(s)

    def add(self, s: Span) -> None:
        self._at.setdefault(s.start, []).append(s)
        self._longest = max(self._longest, s.end - s.start)

    def remove(self, s: Span) -> None:
        self._at[s.start].remove(s)

    def overlapping(self, start: int, end: int) -> list[Span]:
        return [s for k in range(start - self._longest + 1, end) for s in self._at.get(k, ()) if s.end > max(start, s.start)]

    def spans(self) -> list[Span]:
        return [s for k in sorted(self._at) for s in self._at[k]]


def _inside_only(hit: Sequence[Span], start: int, end: int) -> list[Span]:
    """``hit`` (the kept spans overlapping [start, end)) if every one lies inside it and is
    shorter; otherwise none (a span reaching outside is another reading, not a part)."""
    if all(start <= s.start and s.end <= end and s.end - s.start < end - start for s in hit):
        return list(hit)
    return []
