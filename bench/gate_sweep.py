"""``python -m bench.gate_sweep``: the default's LAC gate, swept on the independent sets.

The default consults LAC only on clauses where our model is unsure (``pipeline/recognize/gate.py``).
Two numbers set it: ``below`` (a clause is read by LAC when some character's best-tag probability
is under it) and ``unit`` (the clause length the decision is made on).  For every pair asked, and
for the ungated default (LAC everywhere), this scores micro F1 on MSRA test, CLUENER dev, the dev
pages and the sample page, and says which share of each set's characters LAC read (the share is
what the gate saves: LAC's cost is linear in what it reads).  The choice rule: of the settings
whose micro F1 on MSRA test and CLUENER dev stays within ``--tolerance`` of the ungated default,
the one that reads least of those two sets, provided the check on the dev pages holds to the same
tolerance (a setting the independent sets accept but the pages show losing is reported, not
chosen).  Saved as ``bench/results/gate-sweep-*.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path

from pipeline.evaluation.harness import dev_pages, evaluate_corpus, evaluate_pages
from pipeline.recognize import RecognizeStage
from pipeline.recognize import config as recognize_config
from pipeline.recognize.gate import Consulted, Gate
from pipeline.runner import Pipeline
from pipeline.settings import Settings

from .__main__ import RESULTS
from .compare import SEED, SEED_GOLD

INDEPENDENT = ("msra", "cluener")


def score(gate: Gate | None) -> dict[str, dict[str, float]]:
    """Micro F1 and LAC's share of the characters, per set, for the default with ``gate``."""
    settings = Settings()
    cfg = replace(recognize_config.load(settings.backend), gate=gate)
    stage = RecognizeStage(settings, config=cfg)
    pipe = Pipeline(settings)
    pipe.recognizer = stage
    out: dict[str, dict[str, float]] = {}
    runs = {
        "msra": lambda: evaluate_corpus(settings, "msra-test", print_table=False, stage=stage)["strict"],
        "cluener": lambda: evaluate_corpus(settings, "cluener-dev", print_table=False, stage=stage)["strict"],
        "dev": lambda: evaluate_pages(settings, dev_pages(), print_table=False, pipe=pipe)["by_article"],
        "sample": lambda: evaluate_pages(settings, [Path(f"{SEED}={SEED_GOLD}")], print_table=False,
                                         pipe=pipe)["by_article"],
    }
    for name, run in runs.items():
        stage.ctx.consulted = Consulted()
        table = run()
        out[name] = {"f1": round(table["ALL"]["f1"], 4),  # type: ignore[index]
                     "lac_share": round(stage.ctx.consulted.share, 4) if gate else 1.0}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--below", default="0.5,0.6,0.7,0.8,0.9", help="comma-separated thresholds")
    ap.add_argument("--unit", default="20,40,80", help="comma-separated clause lengths")
    ap.add_argument("--tolerance", type=float, default=0.001, help="micro F1 an independent set may lose")
    args = ap.parse_args(argv)
    rows = [{"below": None, "unit": None, **score(None)}]
    print(json.dumps(rows[-1]), flush=True)
    for unit in (int(u) for u in args.unit.split(",")):
        for below in (float(b) for b in args.below.split(",")):
            rows.append({"below": below, "unit": unit, **score(Gate("lac", "spacy", below, unit))})
            print(json.dumps(rows[-1]), flush=True)
    settle(rows, INDEPENDENT, "dev", "lac_share", args.tolerance, "gate-sweep", "independent_hold")
    return 0


def settle(rows: list[dict], chosen_on: tuple[str, ...], pages: str, share: str, tolerance: float,
           name: str, flag: str) -> dict | None:
    """The sweep's choice, saved with its rows: of the rows after the first (the reference), those
    within ``tolerance`` of it on every set of ``chosen_on`` (marked ``flag``) and on the ``pages``
    check (``pages_check_holds``), the one whose ``share`` of those sets is smallest.  Written to
    ``bench/results/<name>-*.json``; shared by the sweeps of the LAC gate and of the model's
    second member."""
    base = rows[0]
    held = [r for r in rows[1:] if all(base[s]["f1"] - r[s]["f1"] <= tolerance for s in chosen_on)]
    checked = [r for r in held if base[pages]["f1"] - r[pages]["f1"] <= tolerance]
    choice = min(checked, key=lambda r: sum(r[s][share] for s in chosen_on), default=None)
    for r in rows[1:]:
        r[flag] = r in held
        r["pages_check_holds"] = r in checked
    result = {"when": dt.datetime.now().isoformat(timespec="seconds"), "tolerance": tolerance,
              "rows": rows, "choice": choice}
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"choice: {json.dumps(choice)}\nresults: {path}")
    return choice


if __name__ == "__main__":
    sys.exit(main())
