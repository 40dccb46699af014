"""National text run through the whole pipeline, for the false-local-link rate on *predicted*
spans (issue 32).

Why: the rate on a corpus's gold spans (:func:`pipeline.evaluation.entities.false_local_rate_corpus`)
measures the resolver alone, on names a human marked.  What reaches an analyst's tables is the
recogniser's own spans: partial names (人大常委 for 全国人大常委会), generic words it takes for
bodies (统计局, 委员会) and names the gold leaves out, each linked in the locality the pipeline
itself infers.  Here the national text is read as the paper would print a reprinted national
item: consecutive sentences joined into texts of up to 600 characters
(:func:`pipeline.training.corpora.as_documents`), each text one source with no dateline, byline
or date, segmented, recognised and linked by :meth:`pipeline.runner.Pipeline.process_pages` with
the paper's gazetteer, so every predicted PLACE/ORG mention of national text is counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from pipeline.errors import InputError
from pipeline.records import Mention, SourceDoc

__all__ = ["national_documents", "predicted_national_mentions"]


def national_documents(name: str, limit: int) -> Iterator[str]:
    """The first ``limit`` sentences of corpus ``name`` as texts of consecutive sentences."""
    from pipeline.training.corpora import as_documents, read_corpus

    return (ex.text for ex in as_documents(islice(read_corpus(name), limit)))


def predicted_national_mentions(pipe, texts: Iterable[str], label: str = "national") -> Iterator[Mention]:  # noqa: ANN001
    """The PLACE/ORG mentions ``pipe`` (a :class:`pipeline.runner.Pipeline`) recognises and links
    in each text, every text its own source (so no issue memory joins two of them).  A text the
    segmenter finds no article in (blank) yields nothing."""
    paper = pipe.settings.paper
    for k, text in enumerate(texts):
        key = f"{label}#{k}"
        doc = SourceDoc(path=key, text=text, encoding="utf-8", sha256="", paper=paper, issue_date=None)
        try:
            for _articles, mentions in pipe.process_pages(doc, key=key, identity=key):
                yield from (m for m in mentions if m.type in ("PLACE", "ORG"))
        except InputError:
            continue
