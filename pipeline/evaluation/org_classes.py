"""CLUENER's organisation classes scored one by one: company, government (agency), organization.

Why: CLUENER dev is read as PERSON / PLACE / ORG for the main tables, which cannot say whether
companies are found; issue 31 asks for the company F1 reported and improved.  A predicted ORG
span takes the kind the learned classifier gives its name (``pipeline.resolve.org_kind``: what
``entities.kind`` says of an organisation no gazetteer knows), and is right for a class when its
span is exact and its kind is that class.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipeline.evaluation.metrics import PRF
from pipeline.training.corpora import corpus_path

KIND_OF_CLASS = {"company": "company", "government": "agency", "organization": "organisation"}


def gold_classes(root: Path | None = None, name: str = "cluener-dev") -> list[set[tuple[int, int, str]]]:
    """Per sentence, the (start, end, kind) of every company / government / organization span."""
    out = []
    with open(corpus_path(name, root), encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            spans = set()
            for typ, ents in (rec.get("label") or {}).items():
                kind = KIND_OF_CLASS.get(typ)
                for offsets in (ents.values() if kind else ()):
                    spans.update((s, e + 1, kind) for s, e in offsets)
            out.append(spans)
    return out


def score_org_classes(texts: Sequence[str], predicted: Sequence[Sequence[tuple[int, int, str]]],
                      gold: Sequence[set[tuple[int, int, str]]]) -> dict[str, dict[str, float | int]]:
    """Strict P/R/F1 per organisation kind (company, agency, organisation)."""
    from pipeline.resolve.org_kind import org_kind

    table = {kind: PRF() for kind in KIND_OF_CLASS.values()}
    for text, spans, g in zip(texts, predicted, gold):
        p = {(s, e, org_kind(text[s:e])) for s, e, label in spans if label == "ORG"}
        for kind, prf in table.items():
            gk, pk = {x for x in g if x[2] == kind}, {x for x in p if x[2] == kind}
            prf.tp += len(gk & pk)
            prf.fp += len(pk - gk)
            prf.fn += len(gk - pk)
    total = PRF()
    for prf in table.values():
        total = total + prf
    return {**{k: v.to_json() for k, v in table.items()}, "ALL": total.to_json()}
