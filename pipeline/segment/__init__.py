"""Cut a newspaper page into articles, with every character mapped back to the source.

Two input styles occur:

* Markdown written by an OCR tool: ``## `` headline, ``### `` kicker (above a headline) or
  subtitle (below it) or the title of a photo item, ``■记者 X`` bylines, ``本报讯 3月24日下午,``
  datelines, blank lines between paragraphs.
* plain text without marks, where headlines are found by layout: a short line without closing
  punctuation, followed by a byline, a dateline paragraph, or body text.

The page is normalised once (``normalize.normalize_str`` is 1:1, so page offsets stay source
offsets) and then cut into *units*, one per non-blank line: headings, bylines, jump lines
(转第2版), markup (rules, images, page headings) and text.  A small state machine groups units
into article drafts; each draft then gets its column breaks repaired, inline jumps removed,
brief columns split into items, and is finally assembled into an :class:`Article`.

Article text layout: one field per line, joined by "\\n", in the order kicker(s), headline,
subtitle(s), byline line(s), body paragraphs, captions.  Each "\\n" maps to the source offset of
the character before it.  ``Article.fields`` holds one FieldSpan per line; in addition, when a
body paragraph (normally the first; one of the first three) opens with a dateline
(``本报讯 3月24日下午``), a ``dateline`` FieldSpan covering that prefix is listed *just before*
the body span that contains it.  That is the only way fields nest, and it makes
``Article.field_at`` answer ``dateline`` for those characters.

Traditional characters: marker words (本報訊, 記者, 轉第2版, 簡訊 …) are recognised in either
form; byline roles are recorded in simplified form (記者 → 记者), names and text as printed.

What is dropped as markup (and so appears in no field): Markdown heading/quote/list marks,
bullet marks (■ ● ◆ ▲ …), emphasis marks, HTML tags, images, horizontal rules, page headings,
table separator rows and cell bars, jump notes (kept in ``Article.jumps``) and the label of a
brief column (简讯, 一句话新闻 …), which names the column, not an item.

The parts: ``text`` (character classes, marker patterns), ``bylines`` (byline parsing),
``units`` (typed line units and the headline layout rules), ``drafts`` (the state machine),
``articles`` (finishing a draft and laying out its fields).
"""

from __future__ import annotations

from pipeline.errors import InputError
from pipeline.ingest.normalize import normalize
from pipeline.records import Article, Page
from pipeline.segment.articles import Piece, build_article, finish
from pipeline.segment.bylines import ROLES, parse_byline
from pipeline.segment.drafts import build_drafts
from pipeline.segment.text import MAX_HEADLINE, MAX_WEAK_HEADLINE, ends_sentence, is_brief_label
from pipeline.segment.units import HeadlineLayout, UnitKind, read_units


class Segmenter:
    """Cuts pages into :class:`Article` records (see the module docstring for the layout)."""

    def __init__(self, max_headline: int = MAX_HEADLINE, max_weak_headline: int = MAX_WEAK_HEADLINE) -> None:
        self.layout = HeadlineLayout(max_headline, max_weak_headline)

    def segment(self, page: Page, paper: str | None = None) -> list[Article]:
        """The articles of ``page`` in page order; InputError when the page holds no text."""
        doc = page.source
        paper = paper or doc.paper
        raw = doc.text[page.start : page.end]
        norm = normalize(raw, page.start)
        units = read_units(norm, raw)
        markdown = any(u.kind is UnitKind.HEADING for u in units)
        self.layout.infer(units, markdown)
        pieces: list[Piece] = []
        for draft in build_drafts(units):
            pieces.extend(finish(draft))
        articles: list[Article] = []
        for piece in pieces:
            art = build_article(piece, page, paper, len(articles) + 1)
            if art is not None:
                articles.append(art)
        if not articles:
            raise InputError(doc.path, f"no articles found on page {page.number}")
        return articles


def segment_page(page: Page, paper: str | None = None) -> list[Article]:
    """Shorthand for ``Segmenter().segment(page, paper)``."""
    return Segmenter().segment(page, paper)


__all__ = ["ROLES", "Segmenter", "ends_sentence", "is_brief_label", "parse_byline", "segment_page"]
