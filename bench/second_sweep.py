"""``python -m bench.second_sweep``: where the model's second member reads, swept.

The default reads our model's second member only on the clauses where the first is unsure
(``pipeline/model/members.py``).  Three numbers set it: ``below`` (a clause is read when some
character's best-tag probability from the first member is under it), ``unit`` (the clause
length) and ``context`` (the characters read on either side).  For every pair asked, and for the ensemble read whole (``below`` 2, ``unit`` 0: the
model as trained), this runs the default recognise stage and scores strict micro F1 on the sets
the model's epochs and weights were chosen on (the MSRA dev carve-out and the CLUENER held-out
part), and on MSRA test, CLUENER dev and the dev pages as a check, with the share of each set's
characters the second member read (its cost is linear in what it reads).  The choice rule, on the
two selection sets: of the settings within ``--tolerance`` of the ensemble on both, the one that
reads least of them, provided the dev pages hold to the same tolerance (as ``bench.gate_sweep``: a
setting the independent sets accept but the pages show losing is reported, not chosen); MSRA
test and CLUENER dev are reported, not chosen on.  Saved as
``bench/results/second-sweep-*.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from pipeline.evaluation.harness import dev_pages, evaluate_pages
from pipeline.evaluation.metrics import score_spans
from pipeline.recognize import RecognizeStage
from pipeline.recognize import config as recognize_config
from pipeline.runner import Pipeline
from pipeline.settings import Settings
from pipeline.training.cnn import msra_dev
from pipeline.training.corpora import Example, cluener_split, read_corpus

from .gate_sweep import settle

SELECTION = ("msra_dev", "cluener_heldout")
LABELS = ("PERSON", "PLACE", "ORG")


def _f1(stage: RecognizeStage, examples: list[Example]) -> float:
    pred = stage.spans([e.text for e in examples])
    kept = [[(s.start, s.end, s.label) for s in p if not any(a <= s.start and s.end <= b for a, b in e.ignore)]
            for e, p in zip(examples, pred)]
    return score_spans([[x for x in e.spans if x[2] in LABELS] for e in examples], kept).strict.micro.f1


def score(below: float, unit: int, context: int, sets: dict[str, list[Example]]) -> dict[str, dict[str, float]]:
    """Micro F1 and the second member's share of the characters, per set."""
    settings = Settings()
    cfg = replace(recognize_config.load(settings.backend),
                  second=(("below", below), ("context", context), ("unit", unit)))
    stage = RecognizeStage(settings, config=cfg)
    tagger = next(s for s in stage.sources if s.name == "spacy").direct  # type: ignore[attr-defined]
    out: dict[str, dict[str, float]] = {}
    for name, examples in sets.items():
        tagger.characters_read[:] = [0, 0]
        f1 = _f1(stage, examples)
        out[name] = {"f1": round(f1, 4), "second_share": round(tagger.characters_read[1] / max(1, tagger.characters_read[0]), 4)}
    pipe = Pipeline(settings)
    pipe.recognizer = stage
    tagger.characters_read[:] = [0, 0]
    table = evaluate_pages(settings, dev_pages(), print_table=False, pipe=pipe)["by_article"]
    out["dev_pages"] = {"f1": round(table["ALL"]["f1"], 4),  # type: ignore[index]
                        "second_share": round(tagger.characters_read[1] / max(1, tagger.characters_read[0]), 4)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--below", default="0.5,0.7,0.8,0.9,0.95", help="comma-separated thresholds")
    ap.add_argument("--unit", default="20,40,80", help="comma-separated clause lengths")
    ap.add_argument("--context", default="20", help="comma-separated context lengths")
    ap.add_argument("--tolerance", type=float, default=0.001, help="micro F1 a selection set may lose")
    args = ap.parse_args(argv)
    sets = {"msra_dev": msra_dev(), "cluener_heldout": cluener_split()[1],
            "msra_test": list(read_corpus("msra-test")), "cluener_dev": list(read_corpus("cluener-dev"))}
    rows = [{"below": 2.0, "unit": 0, "context": 0, **score(2.0, 0, 0, sets)}]
    print(json.dumps(rows[-1]), flush=True)
    for context in (int(c) for c in args.context.split(",")):
        for unit in (int(u) for u in args.unit.split(",")):
            for below in (float(b) for b in args.below.split(",")):
                rows.append({"below": below, "unit": unit, "context": context, **score(below, unit, context, sets)})
                print(json.dumps(rows[-1]), flush=True)
    settle(rows, SELECTION, "dev_pages", "second_share", args.tolerance, "second-sweep", "selection_holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
