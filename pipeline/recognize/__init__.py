"""The recognise stage: articles in, role-bearing mentions out.

The backend named in ``Settings.backend`` picks the variants: ``combined`` (the default: our
model, LAC and the gazetteer ruler merged by the combiner), or one statistical variant alone
(``spacy``, ``lac``, ``hanlp``).  Title rules and byline roles run with every backend, so that
roles do not depend on which tagger found the names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Article, Mention, Span
from ..settings import Settings
from . import hanlp_backend, lac, ruler, spacy_model, titles  # noqa: F401  register variants
from .base import RECOGNIZERS, BackendUnavailable, Recognizer, create
from .combine import Combiner, CombinerConfig, merge_sources
from .places import split_address_chains
from .repair import extend_settlements, repair
from .roles import assign_roles
from .titles import TitleRules

__all__ = ["RECOGNIZERS", "BackendUnavailable", "RecognizeStage", "Recognizer", "create"]

BACKEND_SOURCES: dict[str, tuple[str, ...]] = {
    "combined": ("spacy", "lac", "gazetteer"),
    "lac-gazetteer": ("lac", "gazetteer"),
    "spacy": ("spacy",),
    "lac": ("lac",),
    "hanlp": ("hanlp",),
    "gazetteer": ("gazetteer",),  # the ruler alone: fast and model-free (runner tests)
}
_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]?")


def _traditional_to_simplified():
    """OpenCC t2s, used only when it keeps the length (so offsets stay valid)."""
    try:
        import opencc

        conv = opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - the reimplementation ships its tables
        return None
    return conv.convert


class RecognizeStage:
    def __init__(self, settings: Settings, sources: Sequence[Recognizer] | None = None) -> None:
        self.settings = settings
        if sources is None:
            names = BACKEND_SOURCES[settings.backend]
            sources = [
                create(
                    n,
                    model_dir=settings.model_dir,
                    gazetteer_dir=settings.gazetteer_dir,
                    batch_size=settings.batch_size,
                )
                for n in names
            ]
        self.sources = list(sources)
        self.titles = TitleRules()
        config = CombinerConfig.load(settings.model_dir / "combiner.json", settings.backend)
        if len(self.sources) == 1:
            config.threshold = 0.0  # one tagger alone: keep all it says, only resolve overlaps
            config.blocklist = {}
        self.combiner = Combiner(config)
        self._t2s = _traditional_to_simplified() if settings.convert_traditional else None
        self.recognizer_name = "+".join(s.name for s in self.sources)

    def _for_model(self, text: str) -> str:
        if self._t2s is None:
            return text
        converted = self._t2s(text)
        return converted if len(converted) == len(text) else text

    def propose(self, texts: Sequence[str]) -> list[list[Span]]:
        """Every source's spans per text, before the vote."""
        return self._propose([self._for_model(t) for t in texts])

    def _propose(self, model_texts: Sequence[str]) -> list[list[Span]]:
        return merge_sources([src.spans(model_texts) for src in self.sources])

    def spans(self, texts: Sequence[str], proposals: list[list[Span]] | None = None) -> list[list[Span]]:
        """Combined entity spans per text (no roles): the unit the corpus evaluation scores.

        ``proposals`` (from ``propose`` on the same texts) skips running the sources again, for
        calibration, which votes on the same proposals under several thresholds."""
        model_texts = [self._for_model(t) for t in texts]
        candidates = proposals if proposals is not None else self._propose(model_texts)
        if len(self.sources) == 1:  # one tagger alone is reported as it is, for fair comparisons
            return [self.combiner.combine(t, c) for t, c in zip(model_texts, candidates)]
        candidates = [extend_settlements(t, c) for t, c in zip(model_texts, candidates)]
        combined = [self.combiner.combine(t, c) for t, c in zip(model_texts, candidates)]
        return [repair(t, split_address_chains(spans, t), c) for t, spans, c in zip(model_texts, combined, candidates)]

    def process(self, articles: Sequence[Article]) -> list[Mention]:
        texts = [a.text for a in articles]
        model_texts = [self._for_model(t) for t in texts]
        all_spans = self.spans(texts)
        mentions: list[Mention] = []
        for article, text, mtext, spans in zip(articles, texts, model_texts, all_spans):
            byline_spans = [Span(b.start, b.end, "PERSON", "byline") for b in article.bylines]
            spans = [s for s in spans if not any(s.start < b.end and b.start < s.end for b in byline_spans)]
            spans = sorted([*spans, *byline_spans], key=lambda s: s.start)
            title_spans = self.titles.find(mtext, spans)
            # A unit inside a title (市委 in 市委书记) is part of the title, not a separate mention.
            spans = [
                s for s in spans
                if not (s.label != "PERSON" and any(t.start <= s.start and s.end < t.end for t in title_spans))
            ]
            people = [s for s in spans if s.label == "PERSON"]
            roles = {(r.span.start, r.span.end): r for r in assign_roles(mtext, people, title_spans, article.bylines)}
            for s in spans:
                r = roles.get((s.start, s.end))
                src_start, src_end = article.mapped.to_source(s.start, s.end)
                mentions.append(
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
                    )
                )
        return mentions


SENTENCE_WINDOW = 120  # characters either side at most: a run-on line must not be copied per mention


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around a mention, cut to a bounded window so memory stays linear."""
    lo = max(0, start - SENTENCE_WINDOW)
    hi = min(len(text), end + SENTENCE_WINDOW)
    left = max(text.rfind(c, lo, start) for c in "。！？\n") + 1 or lo
    left = max(left, lo)
    rights = [k for k in (text.find(c, end, hi) for c in "。！？\n") if k >= 0]
    right = min(rights) + 1 if rights else hi
    return text[left:right].strip()
