"""``python -m bench.compare`` (``make eval``): LAC alone, our model alone, and the combination.

One table per data set — the hand-annotated dev pages (``tests/data/dev``), the sample page
(``seeds/`` against ``tests/data/gold/seed_page.tsv``) and the MSRA NER test set — with per-type
precision/recall/F1 and throughput, printed as Markdown (the README's accuracy section is this
output) and saved as JSON under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from pipeline.entity_eval import entity_report, report_lines
from pipeline.eval_harness import dev_pages, evaluate_corpus, evaluate_pages
from pipeline.settings import REPO_DIR, Settings

BACKENDS = ("lac", "spacy", "lac-gazetteer", "combined")
SEED = REPO_DIR / "seeds" / "000_2b345dada261a864.txt"
SEED_GOLD = REPO_DIR / "tests" / "data" / "gold" / "seed_page.tsv"


def _row(name: str, block: dict, key: str) -> list[str]:
    cells = [name]
    table = block[key]
    for typ in ("PERSON", "PLACE", "ORG"):
        t = table.get(typ, {"precision": 0, "recall": 0, "f1": 0})
        cells.append(f"{t['precision']:.2f} / {t['recall']:.2f} / **{t['f1']:.2f}**")
    cells.append(f"{table['ALL']['f1']:.3f}")
    return cells


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    ap.add_argument("--msra-limit", type=int, default=0, help="first N MSRA test sentences (0: all 3,442)")
    ap.add_argument("--backends", nargs="*", default=list(BACKENDS))
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    results: dict[str, dict] = {}
    for backend in args.backends:
        settings = Settings(backend=backend)
        results[backend] = {
            "dev": evaluate_pages(settings, dev_pages(), print_table=False),
            "sample": evaluate_pages(settings, [Path(f"{SEED}={SEED_GOLD}")], print_table=False),
            "msra": evaluate_corpus(settings, "msra-test", limit=args.msra_limit, print_table=False),
        }
    lines = []
    header = "| backend | PERSON P / R / F1 | PLACE P / R / F1 | ORG P / R / F1 | micro F1 |"
    rule = "|---|---|---|---|---|"
    sets = [
        ("dev", f"Dev pages ({len(dev_pages())} hand-annotated pages, page level, per article)", "by_article"),
        ("sample", "Sample page (seeds/, page level, per article)", "by_article"),
        ("msra", "MSRA NER test (3,442 sentences, strict exact span)", "strict"),
    ]
    for key, title, table in sets:
        lines += ["", f"**{title}**", "", header, rule]
        for backend in args.backends:
            lines.append("| " + " | ".join(_row(backend, results[backend][key], table)) + " |")
    lines += ["", "| backend | MSRA chars/s (recognise stage, one process) | dev pages end to end chars/s |", "|---|---|---|"]
    for backend in args.backends:
        r = results[backend]
        dev_cps = r["dev"]["chars"] / max(r["dev"]["seconds"], 1e-9)
        lines.append(f"| {backend} | {r['msra']['chars_per_s']:,} | {dev_cps:,.0f} |")
    for backend in args.backends:
        r = results[backend]["sample"]
        lines.append(f"\n{backend} on the sample page: role accuracy {_acc(r, 'role_accuracy')}, "
                     f"linking accuracy {_acc(r, 'linking_accuracy')}")
    lines += ["", "**Entities (person ids, offices, links, false local links; pipeline/entity_eval.py)**", ""]
    for backend in args.backends:
        rep = entity_report(Settings(backend=backend))
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
