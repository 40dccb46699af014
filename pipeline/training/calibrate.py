"""Learn the combiner's per-source weights and known-error filters from held-out corpus text.

Weights are each source's exact-span precision per label on the MSRA dev carve-out (sentences our
model never trained on).  The blocklist holds surfaces a source proposes often but gold almost
never confirms, counted over MSRA train sentences for LAC (external to our training) and over the
dev carve-out only for our own model (its training sentences would flatter it).

Each multi-source backend's vote threshold is then chosen on two dev sets at once, MSRA dev
(national news, exact spans) and the hand-annotated dev pages in tests/data/dev (county news,
page level): the threshold with the best mean of the two micro F1s.  Either set alone would pick the convention of one source (a
low threshold lets every source's own habits through, which national news rewards when the
model is trained on it); the mean keeps both kinds of text honest.  The sample page and MSRA
test are never used.

Two things are deliberately not learned from national news.  The gazetteer ruler keeps its prior
weight: MSRA has few of a county's names, and its nested names (中国 inside 中国银行) are exactly
what the combiner's containment rule removes, so its corpus precision says nothing about its use.
And a surface the gazetteer knows (市政府, a local body) is never blocklisted, whatever a
national corpus's annotators did with it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.gazetteers import load_gazetteer
from pipeline.recognize import create
from pipeline.recognize.config import load as load_recognize_config
from pipeline.recognize.config import preset_names
from pipeline.settings import Settings
from pipeline.training.cnn import msra_dev
from pipeline.training.corpora import Example, read_corpus

MIN_COUNT = 5
MAX_PRECISION = 0.1
THRESHOLDS = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
# The backends that vote (one source alone keeps all it says), so each needs a threshold; a
# preset with the learned vote instead has its own trained threshold (learned_combiner.json).
MULTI_SOURCE_BACKENDS = tuple(
    b for b in preset_names()
    if len(load_recognize_config(b).sources) > 1 and "vote" in load_recognize_config(b).passes
)


def _precision(examples: list[Example], preds: list[list], surface_stats: dict) -> dict[str, float]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    for ex, spans in zip(examples, preds):
        gold = {(s, e, lab) for s, e, lab in ex.spans}
        for sp in spans:
            hit = (sp.start, sp.end, sp.label) in gold
            (tp if hit else fp)[sp.label] += 1
            surface_stats[(sp.label, ex.text[sp.start : sp.end])][0 if hit else 1] += 1
    return {lab: round(tp[lab] / max(1, tp[lab] + fp[lab]), 4) for lab in ("PERSON", "PLACE", "ORG")}


def choose_threshold(settings: Settings, backend: str, dev: list[Example], result: dict) -> dict[str, dict[str, float]]:
    """Micro F1 on MSRA dev and on the dev pages for each threshold of ``backend``.

    The candidate configs live in memory only: the model's combiner.json is written once, at the
    end of ``calibrate``, so an interrupted calibration leaves the shipped file as it was."""
    from dataclasses import replace

    from pipeline.evaluation.harness import dev_pages, evaluate_pages
    from pipeline.evaluation.metrics import score_spans
    from pipeline.recognize.combine import Combiner, CombinerConfig
    from pipeline.runner import Pipeline

    pipe = Pipeline(replace(settings, backend=backend))
    stage = pipe.recognizer
    texts = [ex.text for ex in dev]
    proposals = stage.propose(texts)
    gold = [[s for s in ex.spans if s[2] in ("PERSON", "PLACE", "ORG")] for ex in dev]
    table: dict[str, dict[str, float]] = {}
    for th in THRESHOLDS:
        trial = {**result, "thresholds": {**result["thresholds"], backend: th}}
        stage.combiner = Combiner(CombinerConfig.from_dict(trial, backend))
        spans = stage.spans(texts, proposals)
        msra_f1 = score_spans(gold, [[(s.start, s.end, s.label) for s in sp] for sp in spans]).strict.micro.f1
        pages = evaluate_pages(pipe.settings, dev_pages(), print_table=False, pipe=pipe)
        pages_f1 = float(pages["by_article"]["ALL"]["f1"])  # type: ignore[index]
        table[str(th)] = {"msra_dev_f1": round(msra_f1, 4), "dev_pages_f1": round(pages_f1, 4),
                          "mean": round((msra_f1 + pages_f1) / 2, 4)}
    return table


def calibrate(
    settings: Settings, corpora_root: Path | None = None, n_sentences: int = 3000, threshold: float | None = None
) -> dict:
    dev = msra_dev(corpora_root)
    extra = [ex for i, ex in zip(range(n_sentences), read_corpus("msra-train", corpora_root))]
    weights: dict[str, dict[str, float]] = {}
    blocklist: dict[str, list[str]] = {}
    known = {surface for surface, _ in load_gazetteer(settings.gazetteer_dir).names_for_ruler()}
    measured: dict[str, dict[str, float]] = {}
    for name in ("spacy", "lac", "gazetteer"):
        rec = create(name, model_dir=settings.model_dir, gazetteer_dir=settings.gazetteer_dir)
        stats: dict = defaultdict(lambda: [0, 0])
        measured[name] = _precision(dev, rec.spans([e.text for e in dev]), stats)
        if name == "gazetteer":
            continue
        weights[name] = measured[name]
        if name == "lac":
            _precision(extra, rec.spans([e.text for e in extra]), stats)
        blocklist[name] = sorted(
            f"{label}|{surface}"
            for (label, surface), (ok, bad) in stats.items()
            if ok + bad >= MIN_COUNT and ok / (ok + bad) <= MAX_PRECISION and surface not in known
        )
    result: dict = {
        "weights": weights,
        "thresholds": {b: threshold or 0.5 for b in MULTI_SOURCE_BACKENDS},
        "blocklist": blocklist,
        "dev_sentences": len(dev),
        "measured_precision_msra_dev": measured,
        "threshold_selection": {},
    }
    out = settings.model_dir / "combiner.json"
    if threshold is None:
        for backend in MULTI_SOURCE_BACKENDS:
            table = choose_threshold(settings, backend, dev, result)
            result["thresholds"][backend] = float(max(table, key=lambda th: (table[th]["mean"], -float(th))))
            result["threshold_selection"][backend] = table
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result
