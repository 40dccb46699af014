"""Run a recogniser configuration over gold data and score it with ``pipeline.evaluation.metrics``.

Two kinds of gold, as the field uses them: span-level corpus test sets (MSRA test, CLUENER dev),
scored on the recognise stage alone; and hand-annotated pages, scored end to end (ingest to
resolve) at page level, because that is what an analyst sees.
"""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pipeline.settings import REPO_DIR, Settings
from pipeline.training.corpora import read_corpus

DEV_DIR = REPO_DIR / "tests" / "data" / "dev"
# Pages of the paper's genre annotated by another annotator (issue 31), beside the repo, read-only.
COUNTY_DIR = REPO_DIR.parent / "shared" / "county_pages"


def evaluate_corpus(
    settings: Settings,
    name: str,
    corpora_root: Path | None = None,
    limit: int = 0,
    print_table: bool = True,
    stage: object | None = None,
) -> dict[str, object]:
    from pipeline.evaluation.metrics import format_table, score_spans, to_json
    from pipeline.recognize import RecognizeStage

    examples = list(read_corpus(name, corpora_root))
    if limit:
        examples = examples[:limit]
    stage = stage or RecognizeStage(settings)
    texts = [e.text for e in examples]
    t0 = time.perf_counter()
    preds = stage.spans(texts)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - t0
    gold = [[(s, e, lab) for s, e, lab in ex.spans if lab in ("PERSON", "PLACE", "ORG")] for ex in examples]
    pred = [_scored_predictions(spans, ex.ignore) for spans, ex in zip(preds, examples)]
    ignored = sum(len(p) for p in preds) - sum(len(p) for p in pred)
    scores = score_spans(gold, pred)
    # The same predictions against the gold read under the printed-form conventions (王先生 whole,
    # no place inside 华人): reported beside the strict score, never instead of it.
    from pipeline.evaluation.conventions import printed_forms

    mapped = [printed_forms(ex) for ex in examples]
    conv = score_spans([[s for s in ex.spans if s[2] in ("PERSON", "PLACE", "ORG")] for ex in mapped],
                       [_scored_predictions(spans, ex.ignore) for spans, ex in zip(preds, mapped)])
    chars = sum(len(t) for t in texts)
    title = f"{name} ({len(examples)} sentences) — backend {settings.backend}: {chars / seconds:,.0f} chars/s"
    if print_table:
        print(format_table(scores, title))
    out = to_json(scores)
    out["printed_forms"] = to_json(conv)
    if name == "cluener-dev" and not limit:
        # CLUENER's company / government / organization spans, each predicted ORG with the kind
        # entities.kind gives it (pipeline/evaluation/org_classes.py).
        from pipeline.evaluation.org_classes import gold_classes, score_org_classes

        out["org_classes"] = score_org_classes(
            texts, [[(s.start, s.end, s.label) for s in p] for p in preds], gold_classes(corpora_root))
    out.update({"sentences": len(examples), "chars": chars, "seconds": round(seconds, 2),
                "ignored_predictions": ignored,
                "chars_per_s": round(chars / seconds), "backend": settings.backend})
    return out


def _scored_predictions(spans: Sequence, ignore: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Predicted (start, end, label), less those inside a region gold leaves unlabelled on
    purpose (``Example.ignore``: CLUENER's scenes and street addresses), which are neither right
    nor wrong under a PERSON/PLACE/ORG mapping."""
    return [
        (s.start, s.end, s.label) for s in spans
        if not any(a <= s.start and s.end <= b for a, b in ignore)
    ]


def gold_path_for(page: Path) -> Path | None:
    for cand in (Path(str(page) + ".gold.tsv"), page.with_suffix(".gold.tsv")):
        if cand.exists():
            return cand
    return None


def dev_pages() -> list[Path]:
    """The hand-annotated dev pages (pages with a gold file beside them), in name order."""
    return sorted(p for p in DEV_DIR.iterdir() if p.suffix in (".md", ".txt") and gold_path_for(p) is not None)


def county_pages(root: Path = COUNTY_DIR) -> list[Path]:
    """The county pages by another annotator (pages with a gold file beside them), in name
    order; empty when ``../shared/county_pages`` is absent."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.suffix in (".md", ".txt") and gold_path_for(p) is not None)


def split_page_arg(arg: Path) -> tuple[Path, Path]:
    """``PAGE`` (gold beside it as PAGE.gold.tsv) or ``PAGE=GOLD``."""
    text = str(arg)
    if "=" in text:
        page, gold = text.split("=", 1)
        return Path(page), Path(gold)
    gold = gold_path_for(arg)
    if gold is None:
        raise FileNotFoundError(f"{arg}: no gold file beside it (expected {arg}.gold.tsv); or pass PAGE=GOLD")
    return arg, gold


def predicted_rows(pipe: object, page: Path) -> list:
    """Run the whole pipeline on a page and collapse its mentions into page-gold rows.

    Articles are numbered as the gold numbers them: by the first lines in
    ``<page>.articles.txt`` where the page has one (a plain-text page carries no marks the gold
    could split on), else in the segmenter's order.
    """
    from pipeline.errors import InputError
    from pipeline.evaluation.metrics import rows_from_mentions
    from pipeline.ingest import read_source

    try:
        res = pipe.process_file(page)  # type: ignore[attr-defined]
    except InputError as exc:
        if "date" not in str(exc):
            raise
        res = pipe.process_file(page, dt.date(2000, 1, 1))  # type: ignore[attr-defined]
    order = {a.article_id: i + 1 for i, a in enumerate(res.articles)}
    sidecar = page.with_name(page.name + ".articles.txt")
    if not sidecar.exists():
        return rows_from_mentions(res.mentions, order)
    text = read_source(page, issue_date=dt.date(2000, 1, 1)).text
    starts = _first_line_starts(text, sidecar.read_text(encoding="utf-8").splitlines())
    # Each mention by where it stands in the page, so a segmenter that cuts elsewhere is charged
    # for the mentions it moves, not for whole articles.
    numbered = [replace(m, article_id=str(max(1, bisect_right(starts, m.source_start)))) for m in res.mentions]
    return rows_from_mentions(numbered, {str(k): k for k in range(1, len(starts) + 1)})


def _first_line_starts(text: str, first_lines: Sequence[str]) -> list[int]:
    """Where each listed first line starts in the decoded page (in order, as the gold cut it)."""
    from pipeline.evaluation.gold_check import split_by_first_lines

    parts = split_by_first_lines(text, [ln for ln in first_lines if ln.strip()])
    starts, pos = [], len(text) - sum(len(p) for p in parts)
    for part in parts:
        starts.append(pos)
        pos += len(part)
    return starts


def evaluate_pages(
    settings: Settings, pages: Sequence[Path], print_table: bool = True, pipe: object | None = None
) -> dict[str, object]:
    from pipeline.evaluation.metrics import format_table, read_page_gold, score_page, to_json, without_titles
    from pipeline.runner import Pipeline

    pipe = pipe or Pipeline(settings)
    all_gold: list = []
    all_pred: list = []
    per_page: dict[str, object] = {}
    chars = 0
    t0 = time.perf_counter()
    for i, arg in enumerate(pages):
        page, gold_file = split_page_arg(Path(arg))
        gold = read_page_gold(gold_file)
        pred = predicted_rows(pipe, page)
        chars += len(page.read_text(encoding="utf-8", errors="replace"))
        per_page[str(page)] = to_json(score_page(gold, pred))
        if any(r.in_title for r in gold):
            per_page[str(page)]["without_titles"] = to_json(score_page(without_titles(gold), without_titles(pred)))
        # Pages are scored together by giving each page its own article number range.
        all_gold.extend(_offset(gold, 1000 * (i + 1)))
        all_pred.extend(_offset(pred, 1000 * (i + 1)))
    seconds = time.perf_counter() - t0
    total = score_page(all_gold, all_pred)
    if print_table:
        print(format_table(total, f"{len(pages)} pages — backend {settings.backend}"))
    out = to_json(total)
    if any(r.in_title for r in all_gold):
        # Bodies printed inside titles (市委 of 市委书记) are rows of this gold: the score above
        # counts them, this one leaves them out on both sides (bodies as actors only).
        bare = score_page(without_titles(all_gold), without_titles(all_pred))
        out["without_titles"] = to_json(bare)
        if print_table:
            print(format_table(bare, "the same, title parts left out"))
    out.update({"pages": per_page, "chars": chars, "seconds": round(seconds, 2), "backend": settings.backend})
    return out


def _offset(rows: list, k: int) -> list:
    return [replace(r, article_no=r.article_no + k) for r in rows]
