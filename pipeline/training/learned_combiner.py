"""Train the learned combiner (``pipeline/recognize/learned.py``) on independent corpus text.

    python -m pipeline.training.learned_combiner [--preset NAME] [--msra-dev N] [--cluener-heldout N]

One artefact per recognise preset with a learned vote (``combined``, the default, and
``model-gazetteer``): a preset's sources decide its features.

Data: the MSRA dev carve-out (2,000 sentences of MSRA train our model never trained on, the set
``calibrate`` uses) and the held-out part of CLUENER2020 train (2,500 sentences the model never
trained on, ``corpora.cluener_split``; mapped as CLUENER dev is, candidates inside the regions
gold leaves unlabelled on purpose are left out, as scoring ignores them).  The rest of MSRA and
CLUENER train is not used: our model trained on it, so its proposals there would look surer than
they are.  MSRA test, CLUENER dev, the dev pages and the sample page are never read.

Gazetteer copies: national corpora rarely name what a county gazetteer holds (its towns, its
市发改局), so on them alone the gazetteer source looks like a redundant echo of the taggers and
gets no weight.  A third set is made of copies of those same sentences in which gold PLACE and
ORG spans are replaced by names the *active* gazetteer's ruler knows, type for type
(``GazetteerAugmenter``): the combiner then sees what a gazetteer hit is worth where the taggers
do not know the name.  It is trained on, never scored: C and the threshold are chosen on the two
independent sets alone.

Each distinct candidate span of the ``combined`` sources (after the passes before the vote:
``drop_split_names``, ``settle_candidates``) is a row,
labelled 1 when exactly a gold entity (same start, end and label).  The three sets get equal
total weight, so no one set's conventions decides alone.  The regularisation C and the
threshold are chosen by 5-fold cross-validation grouped by sentence: out-of-fold probabilities,
resolved per sentence as the pass does, scored as micro F1 on each independent set; the highest
threshold within ``TIE`` of the best mean of the two wins, then the best C there (``choose``).
The final model is fitted on all rows.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline.recognize.combine import Combiner, CombinerConfig
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.learned import (
    DEFAULT_PRESET,
    FEATURES,
    Candidate,
    artefact_name,
    features,
    local_names,
    resolve,
)
from pipeline.settings import Settings
from pipeline.training.augment import Augmenter
from pipeline.training.cnn import msra_dev
from pipeline.training.corpora import Example, cluener_split

LABELS = ("PERSON", "PLACE", "ORG")
C_GRID = (0.1, 1.0, 10.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.86, 0.05))
FOLDS = 5


SCORED = ("msra_dev", "cluener_heldout")  # the independent sets C and the threshold are chosen on


class GazetteerAugmenter(Augmenter):
    """``Augmenter`` drawing its replacement names from a gazetteer's ruler names, by type; a
    share ``p_local`` of them from the names of the paper's own county or city (``local``), as a
    county paper prints them far more often than any other county's."""

    def __init__(self, names: Sequence[tuple[str, str]], local: frozenset[str] = frozenset(), seed: int = 23,
                 p_local: float = 0.4) -> None:
        super().__init__([], [], seed)
        self.p_local = p_local
        self.names = {lab: sorted(s for s, label in names if label == lab) for lab in ("PLACE", "ORG")}
        self.local = {lab: [s for s in pool if s in local] for lab, pool in self.names.items()}

    def _draw(self, label: str) -> str:
        local = self.local[label]
        pool = local if local and self.rng.random() < self.p_local else self.names[label]
        return self.rng.choice(pool)

    def place(self) -> str:
        return self._draw("PLACE")

    def org(self) -> str:
        return self._draw("ORG")


def gazetteer_copies(settings: Settings, examples: Sequence[Example]) -> list[Example]:
    """Copies of ``examples`` with PLACE/ORG spans swapped for the active gazetteer's names."""
    from pipeline.gazetteers import load_gazetteer

    aug = GazetteerAugmenter(load_gazetteer(settings.gazetteer_dir).names_for_ruler(),
                             local_names(settings.gazetteer_dir))
    out = []
    for ex in examples:
        new = aug.augment(ex, p_place=0.7, p_org=0.7)
        if new is not None:
            out.append(Example(new.text, new.spans, new.source, ()))
    return out


@dataclass
class Sentence:
    """One training sentence: its candidates, their features and labels, its gold spans."""

    corpus: str
    cands: list[Candidate]
    x: np.ndarray
    y: np.ndarray
    gold: set[tuple[int, int, str]]
    hand: list[tuple[int, int, str]]  # what the hand-set vote keeps, for the comparison


def _outside(c: Candidate, ignore: Sequence[tuple[int, int]]) -> bool:
    return not any(a <= c.start and c.end <= b for a, b in ignore)


def build_rows(settings: Settings, sets: Sequence[tuple[str, Sequence[Example]]],
               preset: str = DEFAULT_PRESET) -> list[Sentence]:
    """Proposals of ``preset``'s sources on each named set of examples, as labelled feature rows;
    the sources are loaded once for all the sets."""
    from pipeline.recognize import RecognizeStage
    from pipeline.recognize import config as recognize_config

    cfg = recognize_config.load(preset)  # its sources, with the hand vote in the vote's slot: no artefact read
    cfg = cfg.with_passes(["vote" if p == "learned_vote" else p for p in cfg.passes])
    # Every source reads every character: the vote learns what each source says on its own (a gate
    # decides at run time where a source's reading is needed; where it is not, the vote sees the two
    # agree, a case these rows hold).
    cfg = replace(cfg, gate=None)
    stage = RecognizeStage(replace(settings, backend=preset), config=cfg)
    blocklist = stage.combiner.config.blocklist
    local = local_names(settings.gazetteer_dir)
    hand_vote = Combiner(CombinerConfig.load(settings.model_dir / "combiner.json", "combined-hand"))
    # What the vote sees at run time: the candidates after the passes that come before it.
    before_vote = tuple(cfg.passes[cfg.passes.index("propose") + 1 : cfg.passes.index("vote")])
    out: list[Sentence] = []
    for corpus, examples in sets:
        for ex, props in zip(examples, stage.propose([e.text for e in examples])):
            doc = RecognitionDoc(ex.text, candidates=props)
            stage.plan.run_named(before_vote, [doc], stage.ctx)
            cands, x = features(ex.text, doc.candidates, blocklist, local)
            keep = [i for i, c in enumerate(cands) if _outside(c, ex.ignore)]
            cands, x = [cands[i] for i in keep], x[keep]
            gold = {(a, b, lab) for a, b, lab in ex.spans if lab in LABELS}
            y = np.array([(c.start, c.end, c.label) in gold for c in cands], dtype=np.int8)
            hand = [(s.start, s.end, s.label) for s in hand_vote.combine(ex.text, doc.all_candidates())
                    if _outside(Candidate(s.start, s.end, s.label, frozenset(), 0.0), ex.ignore)]
            out.append(Sentence(corpus, cands, x, y, gold, hand))
    return out


def micro_f1(pred: Sequence[Sequence[tuple[int, int, str]]], gold: Sequence[set[tuple[int, int, str]]]) -> float:
    """Strict span micro F1, the corpus scorer's definition."""
    tp = sum(len(set(p) & g) for p, g in zip(pred, gold))
    n_pred, n_gold = sum(len(set(p)) for p in pred), sum(len(g) for g in gold)
    return 2 * tp / max(1, n_pred + n_gold)


def _weights(sentences: Sequence[Sentence]) -> np.ndarray:
    """Per-row weights giving each corpus the same total weight."""
    corpora = [s.corpus for s in sentences for _ in s.cands]
    counts = {c: corpora.count(c) for c in set(corpora)}
    return np.array([len(corpora) / (len(counts) * counts[c]) for c in corpora])


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, object]:
    """Standardise, then a weighted L2 logistic regression (scikit-learn, training only)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    return mean, scale, model


def _scores_by_threshold(sentences: Sequence[Sentence], probs: Sequence[np.ndarray]) -> dict[str, dict[str, float]]:
    """Micro F1 per corpus and their mean at each threshold, from per-sentence probabilities."""
    table: dict[str, dict[str, float]] = {}
    corpora = [c for c in SCORED if any(s.corpus == c for s in sentences)]
    for th in THRESHOLDS:
        row: dict[str, float] = {}
        for corpus in corpora:
            pairs = [(s, p) for s, p in zip(sentences, probs) if s.corpus == corpus]
            pred = [[(k.start, k.end, k.label) for k in resolve(s.cands, p, th)] for s, p in pairs]
            row[corpus] = round(micro_f1(pred, [s.gold for s, _ in pairs]), 4)
        row["mean"] = round(sum(row[c] for c in corpora) / len(corpora), 4)
        table[str(th)] = row
    return table


def cross_validate(sentences: Sequence[Sentence], c: float, seed: int = 17) -> dict[str, dict[str, float]]:
    """Out-of-fold probabilities (folds of whole sentences), scored per threshold."""
    fold = np.random.default_rng(seed).integers(0, FOLDS, size=len(sentences))
    probs: list[np.ndarray] = [np.zeros(0)] * len(sentences)
    w_all = _weights(sentences)
    row_sentence = np.repeat(np.arange(len(sentences)), [len(s.cands) for s in sentences])
    x_all = np.vstack([s.x for s in sentences])
    y_all = np.concatenate([s.y for s in sentences])
    for k in range(FOLDS):
        train = fold[row_sentence] != k
        mean, scale, model = _fit(x_all[train], y_all[train], w_all[train], c)
        for i in np.flatnonzero(fold == k):
            s = sentences[i]
            probs[i] = model.predict_proba((s.x - mean) / scale)[:, 1] if len(s.x) else np.zeros(0)  # type: ignore[attr-defined]
    return _scores_by_threshold(sentences, probs)


TIE = 0.001  # cross-validated mean F1 differences below this are not told apart


def choose(cv: dict[str, dict[str, dict[str, float]]]) -> tuple[str, str]:
    """(C, threshold): the highest threshold whose cross-validated mean F1 is within ``TIE`` of the
    best, then the best C there.  Why the highest: the curve is flat near its top (0.35-0.45 differ
    by 0.0001), and among thresholds the independent sets cannot tell apart the surer one keeps
    fewer single-source spans on text unlike both (a county page)."""
    best = max(row["mean"] for table in cv.values() for row in table.values())
    th = max((float(t) for table in cv.values() for t, row in table.items() if row["mean"] >= best - TIE))
    key = next(t for t in next(iter(cv.values())) if float(t) == th)
    c = max(cv, key=lambda c: (cv[c][key]["mean"], -float(c)))
    return c, key


def train(settings: Settings, n_msra: int = 2000, n_cluener: int = 2500, corpora_root: Path | None = None,
          copies_of_gazetteer: bool = True, out: Path | None = None, preset: str = DEFAULT_PRESET) -> dict:
    """Proposals, cross-validated choice of C and threshold, final fit; writes the artefact
    (to ``out``, by default the model's ``artefact_name(preset)``)."""
    t0 = time.perf_counter()
    msra = msra_dev(corpora_root)[:n_msra]
    cluener = cluener_split(corpora_root)[1][:n_cluener]
    copies = gazetteer_copies(settings, [*msra, *cluener]) if copies_of_gazetteer else []
    sentences = build_rows(settings, [("msra_dev", msra), ("cluener_heldout", cluener), ("gazetteer_copies", copies)],
                           preset)
    t_props = time.perf_counter() - t0
    cv = {str(c): cross_validate(sentences, c) for c in C_GRID}
    best_c, best_th = choose(cv)
    x = np.vstack([s.x for s in sentences])
    y = np.concatenate([s.y for s in sentences])
    mean, scale, model = _fit(x, y, _weights(sentences), float(best_c))
    hand = {corpus: round(micro_f1([s.hand for s in sentences if s.corpus == corpus],
                                   [s.gold for s in sentences if s.corpus == corpus]), 4)
            for corpus in SCORED}
    result = {
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],  # type: ignore[attr-defined]
        "intercept": round(float(model.intercept_[0]), 6),  # type: ignore[attr-defined]
        "threshold": float(best_th),
        "C": float(best_c),
        "training": {"msra_dev_sentences": len(msra), "cluener_heldout_sentences": len(cluener),
                     "gazetteer_copies": len(copies),
                     "rows": int(len(y)), "positives": int(y.sum()),
                     "preset": preset,
                     "command": "python -m pipeline.training.learned_combiner"
                                + ("" if preset == DEFAULT_PRESET else f" --preset {preset}"),
                     "proposal_seconds": round(t_props, 1), "total_seconds": round(time.perf_counter() - t0, 1)},
        "cv_f1_by_threshold": cv,
        "hand_vote_f1_same_sentences": hand,
    }
    out = out or settings.model_dir / artefact_name(preset)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default=DEFAULT_PRESET, help="recognise preset whose learned vote to train (default %(default)s)")
    ap.add_argument("--msra-dev", type=int, default=2000, help="MSRA dev carve-out sentences (at most 2,000)")
    ap.add_argument("--cluener-heldout", type=int, default=2500, help="CLUENER train held-out sentences (first N)")
    ap.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--no-gazetteer-copies", action="store_true", help="train without the gazetteer copies (ablation)")
    ap.add_argument("--out", type=Path, default=None, help="artefact path (default: the model's learned_combiner.json)")
    args = ap.parse_args(argv)
    settings = Settings() if args.model is None else Settings(model_dir=args.model)
    res = train(settings, args.msra_dev, args.cluener_heldout, copies_of_gazetteer=not args.no_gazetteer_copies,
                out=args.out, preset=args.preset)
    chosen = res["cv_f1_by_threshold"][str(res["C"])][str(res["threshold"])]
    print(f"C={res['C']} threshold={res['threshold']} cross-validated F1 {chosen}; "
          f"hand vote on the same sentences {res['hand_vote_f1_same_sentences']}; {res['training']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
