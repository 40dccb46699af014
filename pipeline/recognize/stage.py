"""The recognise stage: a configured list of registered passes over one document per text.

``RecognizeStage(settings)`` reads the preset ``settings.backend`` from ``recognize.cfg``, with
the passes in ``settings.disable_passes`` switched off, builds its sources and checks the pass
plan; ``spans`` runs the passes that need no article (what corpus sets are scored on) and
``process`` runs them all on articles and returns mentions with roles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.recognize import config as recognize_config
from pipeline.recognize.base import Recognizer, create
from pipeline.recognize.combine import Combiner, CombinerConfig
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.gate import Consulted, Gate
from pipeline.recognize.learned import LearnedCombiner, artefact_name, local_names
from pipeline.recognize.registry import Plan
from pipeline.recognize.spacy_model import MODEL_SOURCE
from pipeline.recognize.titles import TitleRules
from pipeline.records import Article, Mention, Span
from pipeline.settings import Settings

SENTENCE_WINDOW = 120  # characters either side at most: a run-on line must not be copied per mention


@dataclass
class Context:
    """What passes share across documents: the sources, the vote and the title rules."""

    sources: list[Recognizer]
    combiner: Combiner
    titles: TitleRules = field(default_factory=TitleRules)
    learned: LearnedCombiner | None = None  # the trained classifier, when the plan has ``learned_vote``
    gate: Gate | None = None  # a source read only where another is unsure (``gate.py``)
    consulted: Consulted = field(default_factory=Consulted)  # how much of the text the gated source read


class RecognizeStage:
    def __init__(
        self,
        settings: Settings,
        sources: Sequence[Recognizer] | None = None,
        config: recognize_config.RecognizeConfig | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or recognize_config.load(settings.backend, settings.disable_passes)
        self.plan = Plan.build(self.config.passes, self.config.disable)
        if sources is None:
            sources = [create(n, **source_arguments(settings, self.config)) for n in self.config.sources]
        self.ctx = Context(list(sources), Combiner(self._combiner_config()), gate=self.config.gate)
        if "learned_vote" in self.plan.names:
            self.ctx.learned = LearnedCombiner.load(settings.model_dir / artefact_name(self.config.learned_vote),
                                                    self.config.threshold,
                                                    local_names(settings.gazetteer_dir))
        self._t2s = _traditional_to_simplified() if settings.convert_traditional else None
        self.recognizer_name = "+".join(s.name for s in self.sources)

    @property
    def sources(self) -> list[Recognizer]:
        return self.ctx.sources

    @property
    def combiner(self) -> Combiner:
        return self.ctx.combiner

    @combiner.setter
    def combiner(self, value: Combiner) -> None:
        """Calibration swaps the vote's config while keeping the proposals."""
        self.ctx.combiner = value

    def _combiner_config(self) -> CombinerConfig:
        cfg = CombinerConfig.load(self.settings.model_dir / "combiner.json", self.config.preset)
        if self.config.threshold is not None:
            cfg.threshold = self.config.threshold
        if not self.config.blocklist:
            cfg.blocklist = {}
        return cfg

    def _for_model(self, text: str) -> str:
        if self._t2s is None:
            return text
        converted = self._t2s(text)
        return converted if len(converted) == len(text) else text

    def _docs(self, texts: Sequence[str], articles: Sequence[Article | None]) -> list[RecognitionDoc]:
        return [RecognitionDoc(self._for_model(t), a) for t, a in zip(texts, articles)]

    def propose(self, texts: Sequence[str]) -> list[dict[str, list[Span]]]:
        """Every source's candidates per text (by source), before the vote: for calibration."""
        docs = self._docs(texts, [None] * len(texts))
        self.plan.run_named(("propose",), docs, self.ctx)
        return [d.candidates for d in docs]

    def spans(
        self, texts: Sequence[str], proposals: Sequence[dict[str, list[Span]]] | None = None
    ) -> list[list[Span]]:
        """Entity spans per text (no roles): the unit the corpus evaluation scores.

        ``proposals`` (from ``propose`` on the same texts) skips running the sources again, for
        calibration, which votes on the same proposals under several thresholds."""
        docs = self._docs(texts, [None] * len(texts))
        passes = self.plan.for_texts
        if proposals is not None:
            for d, cands in zip(docs, proposals):
                d.candidates = {src: list(spans) for src, spans in cands.items()}
            passes = tuple(p for p in passes if p.name != "propose")
        for p in passes:
            p.run(docs, self.ctx)
        return [d.spans for d in docs]

    def documents(self, articles: Sequence[Article]) -> list[RecognitionDoc]:
        """Every pass over each article: its final spans, titles and roles."""
        docs = self._docs([a.text for a in articles], articles)
        self.plan.run(docs, self.ctx, articles=True)
        return docs

    def process(self, articles: Sequence[Article]) -> list[Mention]:
        mentions: list[Mention] = []
        for article, doc in zip(articles, self.documents(articles)):
            mentions.extend(_mentions(article, doc))
        return mentions


def check_model(settings: Settings) -> None:
    """Read every file of ``settings.model_dir`` that the backend's stage reads, the small ones
    first, so that a missing or broken one is one ``ModelFileError`` (or ``BackendUnavailable``)
    before any text is processed; the model itself is loaded through the per-process cache of
    ``create``, so a stage built afterwards in this process does not load it again."""
    config = recognize_config.load(settings.backend, settings.disable_passes)
    CombinerConfig.load(settings.model_dir / "combiner.json", config.preset)
    if "learned_vote" in Plan.build(config.passes, config.disable).names:
        LearnedCombiner.load(settings.model_dir / artefact_name(config.learned_vote))
    for name in config.sources:
        if name == MODEL_SOURCE:  # the one source that reads the model directory
            create(name, **source_arguments(settings, config))


def source_arguments(settings: Settings, config: recognize_config.RecognizeConfig) -> dict[str, object]:
    """What every source is created with (one set, so that ``create``'s cache loads a model once)."""
    return {"model_dir": settings.model_dir, "gazetteer_dir": settings.gazetteer_dir,
            "batch_size": settings.batch_size, "second": dict(config.second)}


def _mentions(article: Article, doc: RecognitionDoc) -> list[Mention]:
    """One Mention per kept span, with its role and offsets in the source document."""
    text = article.text
    out: list[Mention] = []
    for s in doc.spans:
        r = doc.roles.get((s.start, s.end))
        src_start, src_end = article.mapped.to_source(s.start, s.end)
        out.append(
            Mention(
                article_id=article.article_id,
                type=s.label,
                surface=text[s.start : s.end],
                start=s.start,
                end=s.end,
                source_start=src_start,
                source_end=src_end,
                sentence=_sentence_at(text, s.start, s.end),
                role=r.role if r else "",
                is_official=bool(r and r.is_official),
                recognizer=s.source,
                confidence=s.score,
                in_title=(s.start, s.end) in doc.in_title,
            )
        )
    return out


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around a mention, cut to a bounded window so memory stays linear."""
    lo = max(0, start - SENTENCE_WINDOW)
    hi = min(len(text), end + SENTENCE_WINDOW)
    left = max(text.rfind(c, lo, start) for c in "。！？\n") + 1 or lo
    left = max(left, lo)
    rights = [k for k in (text.find(c, end, hi) for c in "。！？\n") if k >= 0]
    right = min(rights) + 1 if rights else hi
    return text[left:right].strip()


def _traditional_to_simplified() -> Callable[[str], str] | None:
    """OpenCC t2s, used only when it keeps the length (so offsets stay valid).

    A text that holds no character t2s changes and none of the phrases it changes although
    their characters stay (反覆 -> 反复) comes back as it is, so it is returned without the
    pure-Python conversion, which cost a twentieth of the default's time on simplified news.
    The two sets are read from the converter's own dictionaries."""
    try:
        import opencc

        conv = opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - the reimplementation ships its tables
        return None
    changed_chars, changed_phrases = _t2s_changes(Path(opencc.__file__).parent / "dictionary")

    def convert(text: str) -> str:
        if changed_chars.isdisjoint(text) and not any(p in text for p in changed_phrases):
            return text
        return conv.convert(text)

    return convert


def _t2s_changes(dictionaries: Path) -> tuple[frozenset[str], tuple[str, ...]]:
    """(characters t2s maps to another, phrases it maps to another that hold none of those)."""
    def changes(name: str) -> list[str]:
        out = []
        for line in (dictionaries / name).read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key and values and values.split(" ")[0] != key:
                out.append(key)
        return out

    chars = frozenset(changes("TSCharacters.txt"))
    return chars, tuple(p for p in changes("TSPhrases.txt") if chars.isdisjoint(p))
