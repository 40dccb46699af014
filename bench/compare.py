"""``python -m bench.compare`` (``make eval``): each backend scored on every set, and an ablation.

Sets: the hand-annotated dev pages (``tests/data/dev``), the sample page (``seeds/`` against
``tests/data/gold/seed_page.tsv``), MSRA NER test (strict) and CLUENER2020 dev mapped to
PERSON/PLACE/ORG (strict; mapping in ``pipeline/training/corpora.py``: name → PERSON;
company, government, organization → ORG; address → PLACE when a short named place; predictions
inside street addresses, scenes, books, games and films are not scored; position dropped), and
MSRA test again as documents (``msra-test-docs``: its sentences, in order, joined into texts of up
to 600 characters, so that the repairs that read an article whole are tested on independent
text; ``corpora.as_documents``).  Every set is scored whole.  Then the ablation: the default
backend with each repair/filter pass switched off in turn (``--disable PASS``), micro F1 on MSRA
test, MSRA test as documents, CLUENER dev, the dev pages and the sample page.  Then the entity
scores of each backend (``pipeline/evaluation/entities.py``: person B-cubed, offices, linking
accuracy overall and by entity kind, false-local-link rates, article locality; for the default
backend also the false-local-link rate on the spans its whole pipeline predicts in national
text).  Printed as
Markdown (the README's accuracy section is this output) and saved as JSON under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline.evaluation.entities import entity_report, report_lines
from pipeline.evaluation.harness import county_pages, dev_pages, evaluate_corpus, evaluate_pages
from pipeline.settings import REPO_DIR, Settings, backends

BACKENDS = ("lac", "spacy", "lac-gazetteer", "model-gazetteer", "combined-hand", "combined-ungated", "combined-ensemble",
            "combined-strict", "combined")  # hanlp needs its extra
SEED = REPO_DIR / "seeds" / "000_2b345dada261a864.txt"
SEED_GOLD = REPO_DIR / "tests" / "data" / "gold" / "seed_page.tsv"
ABLATION_SETS = ("msra", "msra_docs", "cluener", "dev", "sample", "county")
# Sentences of MSRA test and PD1998 the default backend's whole pipeline reads as national items
# for the false-local-link rate on predicted spans (about 10 s each; MSRA test has fewer: all).
PREDICTED_LIMIT = 5000


def _row(name: str, block: dict, key: str) -> list[str]:
    cells = [name]
    table = block[key]
    for typ in ("PERSON", "PLACE", "ORG"):
        t = table.get(typ, {"precision": 0, "recall": 0, "f1": 0})
        cells.append(f"{t['precision']:.2f} / {t['recall']:.2f} / **{t['f1']:.2f}**")
    cells.append(f"{table['ALL']['f1']:.3f}")
    return cells


def _docs_limit(msra_limit: int) -> int:
    """MSRA test as documents holds about ten sentences per text: ``--msra-limit`` sentences."""
    return max(1, msra_limit // 10) if msra_limit else 0


def _score_backend(backend: str, msra_limit: int) -> dict[str, dict]:
    settings = Settings(backend=backend)
    return {
        "dev": evaluate_pages(settings, dev_pages(), print_table=False),
        "county": evaluate_pages(settings, county_pages(), print_table=False),
        "sample": evaluate_pages(settings, [Path(f"{SEED}={SEED_GOLD}")], print_table=False),
        "msra": evaluate_corpus(settings, "msra-test", limit=msra_limit, print_table=False),
        "msra_docs": evaluate_corpus(settings, "msra-test-docs", limit=_docs_limit(msra_limit), print_table=False),
        "cluener": evaluate_corpus(settings, "cluener-dev", print_table=False),
    }


def _accuracy_tables(results: dict[str, dict], backends: list[str]) -> list[str]:
    lines: list[str] = []
    header = "| backend | PERSON P / R / F1 | PLACE P / R / F1 | ORG P / R / F1 | micro F1 |"
    rule = "|---|---|---|---|---|"
    any_backend = results[backends[0]]
    sets = [
        ("dev", f"Dev pages ({len(dev_pages())} hand-annotated pages, page level, per article)", "by_article"),
        ("sample", "Sample page (seeds/, page level, per article)", "by_article"),
        ("msra", f"MSRA NER test ({any_backend['msra']['sentences']:,} sentences, strict exact span)", "strict"),
        ("msra_docs", f"MSRA NER test as documents ({any_backend['msra_docs']['sentences']:,} texts of consecutive "
                      "sentences, up to 600 characters each, strict exact span)", "strict"),
        ("cluener", f"CLUENER2020 dev ({any_backend['cluener']['sentences']:,} sentences, mapped to "
                    "PERSON/PLACE/ORG, strict exact span)", "strict"),
    ]
    for key, title, table in sets:
        lines += ["", f"**{title}**", "", header, rule]
        for backend in backends:
            lines.append("| " + " | ".join(_row(backend, results[backend][key], table)) + " |")
        if key in ("msra", "msra_docs", "cluener"):
            lines += ["", "*the same, gold read under the printed-form conventions (王先生 whole, no place inside 华人; "
                      "pipeline/evaluation/conventions.py)*", "", header, rule]
            for backend in backends:
                lines.append("| " + " | ".join(_row(backend, results[backend][key]["printed_forms"], table)) + " |")
    lines += _county_tables(results, backends)
    lines += ["", "| backend | MSRA chars/s (recognise stage, one process) | dev pages end to end chars/s |",
              "|---|---|---|"]
    for backend in backends:
        r = results[backend]
        dev_cps = r["dev"]["chars"] / max(r["dev"]["seconds"], 1e-9)
        lines.append(f"| {backend} | {r['msra']['chars_per_s']:,} | {dev_cps:,.0f} |")
    for backend in backends:
        r = results[backend]["sample"]
        lines.append(f"\n{backend} on the sample page: role accuracy {_acc(r, 'role_accuracy')}, "
                     f"linking accuracy {_acc(r, 'linking_accuracy')}")
    return lines


def _county_tables(results: dict[str, dict], backends: list[str]) -> list[str]:
    """County pages by another annotator: page-level F1 (surface and count over the page) with the
    bodies inside officials' titles counted (in_title rows) and without them, per page."""
    pages = list(results[backends[0]]["county"].get("pages", {}))
    if not pages:
        return ["", "*County pages: ../shared/county_pages not found.*"]
    lines = ["", f"**County pages ({len(pages)} pages by another annotator, page level, surface and count; "
             "with title bodies / without)**", "",
             "| backend | " + " | ".join(Path(p).name for p in pages) + " | all |", "|---" * (len(pages) + 2) + "|"]
    for backend in backends:
        c = results[backend]["county"]
        cells = [f"{c['pages'][p]['bag']['ALL']['f1']:.3f} / "
                 f"{c['pages'][p].get('without_titles', c['pages'][p])['bag']['ALL']['f1']:.3f}" for p in pages]
        total = f"{c['bag']['ALL']['f1']:.3f} / {c.get('without_titles', c)['bag']['ALL']['f1']:.3f}"
        lines.append(f"| {backend} | " + " | ".join(cells) + f" | {total} |")
    return lines


def _ablation(backend: str, msra_limit: int) -> dict[str, dict[str, float]]:
    from pipeline.evaluation.ablation import ablate
    from pipeline.runner import Pipeline

    settings = Settings(backend=backend)
    pipe = Pipeline(settings)

    def pages(paths: list[Path], table: str = "by_article") -> Callable[[object], float]:
        def score(stage: object) -> float:
            pipe.recognizer = stage  # type: ignore[assignment]
            return float(evaluate_pages(settings, paths, print_table=False, pipe=pipe)[table]["ALL"]["f1"])

        return score

    def corpus(name: str, limit: int = 0):  # noqa: ANN202
        def score(stage: object) -> float:
            out = evaluate_corpus(settings, name, limit=limit, print_table=False, stage=stage)
            return float(out["strict"]["ALL"]["f1"])  # type: ignore[index]

        return score

    return ablate(settings, {"msra": corpus("msra-test", msra_limit),
                             "msra_docs": corpus("msra-test-docs", _docs_limit(msra_limit)),
                             "cluener": corpus("cluener-dev"), "dev": pages(dev_pages()),
                             "sample": pages([Path(f"{SEED}={SEED_GOLD}")]), "county": pages(county_pages(), "bag")})


def _ablation_table(backend: str, rows: dict[str, dict[str, float]]) -> list[str]:
    from pipeline.recognize import PASSES

    base = rows["none"]
    lines = ["", f"**Ablation: `{backend}` with one pass switched off (micro F1; Δ against all passes on)**", "",
             "| pass off | what it does | MSRA test | MSRA test as documents | CLUENER dev | dev pages | sample page "
             "| county pages (page level) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, scores in rows.items():
        cells = [f"{scores[s]:.4f}" if name == "none" else f"{scores[s]:.4f} ({scores[s] - base[s]:+.4f})"
                 for s in ABLATION_SETS]
        what = "all passes on" if name == "none" else PASSES[name].doc
        lines.append(f"| {'(none)' if name == 'none' else name} | {what} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    ap.add_argument("--msra-limit", type=int, default=0, help="first N MSRA test sentences (0: all)")
    ap.add_argument("--backends", nargs="*", default=list(BACKENDS))
    ap.add_argument("--ablate", default=backends()[0], help="backend to ablate ('' for none; default %(default)s, the default)")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    results: dict[str, dict] = {b: _score_backend(b, args.msra_limit) for b in args.backends}
    lines = _accuracy_tables(results, args.backends)
    if args.ablate:
        rows = _ablation(args.ablate, args.msra_limit)
        results["ablation"] = {"backend": args.ablate, "micro_f1": rows}
        lines += _ablation_table(args.ablate, rows)
    lines += ["", "**Entities (person ids, offices, links, false local links; pipeline/evaluation/entities.py)**", ""]
    for backend in args.backends:
        rep = entity_report(Settings(backend=backend), predicted_limit=PREDICTED_LIMIT if backend == backends()[0] else 0)
        lines += ["```", *report_lines(backend, rep), "```"]
        results[backend]["entities"] = {
            k: v.to_json() if hasattr(v, "to_json") else {"value": v.value, "hits": v.hits, "total": v.total}
            for k, v in rep.items()
        }
    text = "\n".join(lines)
    print(text)
    out = REPO_DIR / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"compare-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"\nresults: {path}", file=sys.stderr)
    return 0


def _acc(block: dict, key: str) -> str:
    a = block.get(key) or {}
    if not a or a.get("total", 0) == 0:
        return "n/a"
    return f"{a['correct'] / a['total']:.3f} ({a['correct']}/{a['total']})"


if __name__ == "__main__":
    sys.exit(main())
