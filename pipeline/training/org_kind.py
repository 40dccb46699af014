"""Train the organisation-kind classifier (``pipeline/resolve/org_kind.py``): company, agency or
another organisation, from the name's characters.

    python -m pipeline.training.org_kind [--gazetteer] [--out PATH]

Data: the distinct company / government / organization strings of CLUENER2020 train's *training
part* (``corpora.cluener_split``: not the 2,500 sentences held out for model selection and the
learned combiner), mapped company→company, government→agency, organization→organisation; a string
annotated with several types takes its most frequent one, a tie is dropped.  CLUENER dev (the
evaluation split) is never trained on.

``--gazetteer`` adds the active gazetteer's state and party bodies as agency examples and its
state-owned companies as company examples.  Not by default, by measurement: its ~550 names and
aliases nearly all begin with the county's name, so the model learns 平湖 → agency and reads the
county's own schools, hospitals, shops and associations (平湖市实验小学, 新埭镇某某超市) as agencies;
CLUENER alone already reads a county bureau (…局, …管理委员会, 中共…委…部) as one.  Model card:
``models/org_kind.md``.

Why learned and not listed (issue 31): a county paper names hundreds of companies no list holds;
their names end the way company names end, and a model of name endings and n-grams reads them.

Recipe: 10 % of the distinct strings are held out (seed ``SEED``) and never trained on; on the
other 90 % a grid of multinomial Naive Bayes (alpha) and logistic regression (C) models, with
features seen in at least ``min_df`` strings, is scored by 5-fold cross-validation (mean of the
per-kind accuracies, so the largest kind does not decide alone); the best is refitted on the 90 %
and written, and its accuracy per kind on the held-out 10 % and on CLUENER dev's distinct strings
is printed and stored in the artefact.  scikit-learn is needed here only (the ``learn`` extra).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from pipeline.resolve.org_kind import KINDS, MODEL_PATH, OrgKindModel, features, prepare
from pipeline.settings import DEFAULT_GAZETTEER
from pipeline.training.corpora import (
    CLUENER_HELDOUT,
    CLUENER_SPLIT_SEED,
    cluener_split,
    corpus_path,
    normalize_width,
)

CLUENER_KINDS = {"company": "company", "government": "agency", "organization": "organisation"}
# Gazetteer ORG kinds (agencies.csv, generated town bodies) taken as examples.  Mass organisations
# (工会, 妇联) and media are left out: whether they are agencies is a convention, not a fact.
GAZETTEER_KINDS = {
    **dict.fromkeys(("party", "party_dept", "discipline", "congress", "government", "gov_dept", "gov_unit",
                     "military", "cppcc", "court", "procuratorate", "zone", "town_party", "town_gov"), "agency"),
    "soe": "company",
}
SEED = 31
HELDOUT_SHARE = 0.10
FOLDS = 5
GRID: tuple[tuple[str, float, int], ...] = tuple(
    [("nb", a, m) for a in (0.1, 0.3, 1.0) for m in (1, 2)] + [("lr", c, m) for c in (3.0, 10.0, 30.0) for m in (1, 2)])
MAX_FEATURES = 30_000  # about 1.2 MB of JSON; the rarest features go first
COMMAND = "python -m pipeline.training.org_kind"

Labelled = list[tuple[str, str]]  # (name, kind)


def _cluener_records(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def cluener_training_records(root: Path | None = None) -> list[dict]:
    """The raw records of CLUENER train's training part, the sentences ``cluener_split`` trains on.

    Why the raw records: the corpus reader maps company, government and organization to one ORG
    label, and the kind is what is learned here.  The split is ``cluener_split``'s own shuffle,
    redone on the records and checked against it text for text."""
    rows = [r for r in _cluener_records(corpus_path("cluener-train", root)) if normalize_width(r["text"]).strip()]
    random.Random(CLUENER_SPLIT_SEED).shuffle(rows)
    part = rows[CLUENER_HELDOUT:]
    expected = [ex.text for ex in cluener_split(root)[0]]
    if [normalize_width(r["text"]) for r in part] != expected:
        raise RuntimeError("CLUENER split drifted from corpora.cluener_split")
    return part


def kind_strings(records: Iterable[dict]) -> Labelled:
    """Distinct (name, kind) of the records' company/government/organization strings; a name with
    several types takes the one it is annotated with most often, a tie is dropped."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for rec in records:
        for typ, ents in (rec.get("label") or {}).items():
            if typ in CLUENER_KINDS:
                for surface, spans in ents.items():
                    key = prepare(surface)
                    if key:
                        votes[key][CLUENER_KINDS[typ]] += len(spans)
    out = []
    for name, c in votes.items():
        (top, n), *rest = c.most_common()
        if not rest or rest[0][1] < n:
            out.append((name, top))
    return sorted(out)


def gazetteer_strings(gazetteer_dir: Path = DEFAULT_GAZETTEER) -> Labelled:
    """(name, kind) of the gazetteer's ORG entries of a kind in ``GAZETTEER_KINDS``, every alias."""
    from pipeline.gazetteers import load_gazetteer

    out = set()
    for e in load_gazetteer(gazetteer_dir).entries:
        kind = GAZETTEER_KINDS.get(e.kind) if e.type == "ORG" else None
        if kind:
            out.update((prepare(s), kind) for s in (e.canonical, *e.aliases) if prepare(s))
    return sorted(out)


def training_strings(root: Path | None = None, gazetteer: bool = False) -> Labelled:
    """Every (name, kind) the trainer learns from, before the 10 % hold-out; a gazetteer kind
    overrides CLUENER's for the same name (the gazetteer is curated, CLUENER's types are noisy)."""
    merged = dict(kind_strings(cluener_training_records(root)))
    if gazetteer:
        merged.update(gazetteer_strings())
    return sorted(merged.items())


def dev_strings(root: Path | None = None) -> Labelled:
    """CLUENER dev's distinct company/government/organization strings: the evaluation set."""
    return kind_strings(_cluener_records(corpus_path("cluener-dev", root)))


def split_heldout(data: Labelled, share: float = HELDOUT_SHARE, seed: int = SEED) -> tuple[Labelled, Labelled]:
    """(training, held-out): a seeded shuffle of the distinct strings, ``share`` held out."""
    rows = list(data)
    random.Random(seed).shuffle(rows)
    k = round(len(rows) * share)
    return rows[k:], rows[:k]


def vocabulary(names: Sequence[str], min_df: int, limit: int = MAX_FEATURES) -> list[str]:
    """Features seen in at least ``min_df`` names, the ``limit`` most frequent (ties by name)."""
    df = Counter(f for n in names for f in set(features(n)))
    kept = sorted((f for f, c in df.items() if c >= min_df), key=lambda f: (-df[f], f))
    return sorted(kept[:limit])


def matrix(names: Sequence[str], vocab: Sequence[str]):  # noqa: ANN201 - scipy.sparse.csr_matrix
    """Feature counts of ``names`` over ``vocab`` (features outside it are dropped)."""
    from scipy.sparse import csr_matrix

    index = {f: i for i, f in enumerate(vocab)}
    rows, cols = [], []
    for r, n in enumerate(names):
        for f in features(n):
            if f in index:
                rows.append(r)
                cols.append(index[f])
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(names), len(vocab)))


def fit(data: Labelled, model: str, param: float, min_df: int) -> OrgKindModel:
    """One model of the grid, fitted on ``data``, as the run-time linear model.

    Naive Bayes becomes linear as it is (feature log-probabilities, class log-priors); logistic
    regression gives its coefficients.  Each feature's weights are centred over the kinds: a shift
    shared by all kinds changes no decision, and the centred weights are smaller to store."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB

    names, kinds = [n for n, _ in data], [k for _, k in data]
    vocab = vocabulary(names, min_df)
    x, y = matrix(names, vocab), np.array([KINDS.index(k) for k in kinds])
    if model == "nb":
        nb = MultinomialNB(alpha=param).fit(x, y)
        w, b = nb.feature_log_prob_.T, nb.class_log_prior_
    else:
        lr = LogisticRegression(C=param, max_iter=5000).fit(x, y)
        w, b = lr.coef_.T, lr.intercept_
    w = w - w.mean(axis=1, keepdims=True)
    return OrgKindModel(KINDS, vocab, np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))


def accuracy(model: OrgKindModel, data: Labelled) -> dict[str, float | int]:
    """Accuracy per true kind, their mean (``balanced``), overall accuracy and the count."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for name, kind in data:
        hits[kind].append(model.predict(name) == kind)
    out: dict[str, float | int] = {k: round(float(np.mean(hits[k])), 4) for k in KINDS if k in hits}
    per_kind = [float(out[k]) for k in KINDS if k in hits]
    out["balanced"] = round(float(np.mean(per_kind)), 4) if per_kind else 0.0
    out["overall"] = round(float(np.mean([h for v in hits.values() for h in v])), 4) if per_kind else 0.0
    out["n"] = len(data)
    return out


def cross_validate(data: Labelled, model: str, param: float, min_df: int, folds: int = FOLDS) -> float:
    """Mean over folds of the held-out fold's balanced accuracy."""
    fold = np.arange(len(data)) % folds
    np.random.default_rng(SEED).shuffle(fold)
    scores = []
    for k in range(folds):
        train = [d for d, f in zip(data, fold) if f != k]
        test = [d for d, f in zip(data, fold) if f == k]
        scores.append(float(accuracy(fit(train, model, param, min_df), test)["balanced"]))
    return round(float(np.mean(scores)), 4)


def train(data: Labelled, dev: Labelled, out: Path, grid: Sequence[tuple[str, float, int]] = GRID,
          record: dict | None = None) -> dict:
    """Hold out, choose by cross-validation, refit, score, write ``out``; returns the training record."""
    t0 = time.perf_counter()
    rest, heldout = split_heldout(data)
    # One grid point leaves nothing to choose: no cross-validation (the tests' tiny runs).
    cv = {f"{m} {p} min_df={d}": cross_validate(rest, m, p, d) for m, p, d in grid} if len(grid) > 1 else {}
    best = max(grid, key=lambda g: (cv.get(f"{g[0]} {g[1]} min_df={g[2]}", 0.0), g[2]))
    model = fit(rest, *best)
    seen = {n for n, _ in data}
    training = {
        "command": COMMAND, **(record or {}),
        "strings": dict(Counter(k for _, k in data)), "trained_on": len(rest), "heldout": len(heldout),
        "chosen": {"model": best[0], "param": best[1], "min_df": best[2]}, "cv_balanced_accuracy": cv,
        "heldout_accuracy": accuracy(model, heldout),
        "cluener_dev_accuracy": accuracy(model, dev),
        "cluener_dev_unseen_accuracy": accuracy(model, [d for d in dev if d[0] not in seen]),
        "features": len(model.index), "seconds": round(time.perf_counter() - t0, 1),
    }
    write(model, out, training)
    return training


def write(model: OrgKindModel, out: Path, training: dict) -> None:
    """The artefact, one feature a line (small diffs between retrainings)."""
    data = model.to_json(training=training)
    weights = data.pop("weights")
    head = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    lines = [f"{json.dumps(f, ensure_ascii=False)}:{json.dumps(w, separators=(',', ':'))}" for f, w in weights.items()]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(head[:-1] + ',\n"weights":{\n' + ",\n".join(lines) + "\n}}\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gazetteer", action="store_true",
                    help="add the gazetteer's agencies and state-owned companies (ablation; see the docstring)")
    ap.add_argument("--corpora", type=Path, default=None, help="corpora root (default ../shared/corpora)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="artefact path (default %(default)s)")
    args = ap.parse_args(argv)
    data = training_strings(args.corpora, gazetteer=args.gazetteer)
    res = train(data, dev_strings(args.corpora), args.out, record={
        "command": COMMAND + (" --gazetteer" if args.gazetteer else ""), "gazetteer": args.gazetteer, "seed": SEED})
    print(f"strings {res['strings']}; chosen {res['chosen']} (cv {max(res['cv_balanced_accuracy'].values(), default=None)}); "
          f"{res['features']} features, {args.out.stat().st_size / 1e6:.2f} MB, {res['seconds']} s")
    for key in ("heldout_accuracy", "cluener_dev_accuracy", "cluener_dev_unseen_accuracy"):
        print(f"{key}: {res[key]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
