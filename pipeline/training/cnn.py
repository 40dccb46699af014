"""Rebuild the shipped NER model from ``../shared/corpora``.

The recipe is deliberately a function of its arguments only (fixed seeds, fixed dev carve-out,
fixed corpus order) so that ``pinghu-ner train`` on another machine gives the same model card.
Test sets (MSRA test, CLUENER dev) never enter training: MSRA test sentences are also removed
from every training corpus by exact text, in case a corpus shares sentences with it.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from pipeline.settings import PACKAGE_DIR
from pipeline.training.augment import name_lists
from pipeline.training.corpora import (
    MISSING,
    Example,
    corpus_path,
    entity_labels,
    entity_strings,
    read_corpus,
    read_pd1998,
)

CONFIG_PATH = PACKAGE_DIR / "model" / "ner.cfg"
DEFAULT_TRAIN_CORPORA = ("msra-train", "pd1998")
DEV_SIZE = 2000


def _docbin(examples: Iterable[Example], path: Path) -> int:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("zh")
    db = DocBin(store_user_data=False)
    n = 0
    for ex in examples:
        doc = nlp.make_doc(ex.text)
        ents = []
        missing = []
        for s, e, label in ex.spans:
            if label == "TITLE":
                continue
            span = doc.char_span(s, e, label=0 if label == MISSING else label, alignment_mode="contract")
            if span is not None and len(span):
                (missing if label == MISSING else ents).append(span)
        kept: list = []  # overlapping gold: keep the longest, non-overlapping ones
        for sp in sorted(ents, key=lambda x: -(x.end - x.start)):
            if all(sp.end <= k.start or sp.start >= k.end for k in kept):
                kept.append(sp)
        free = [m for m in missing if all(m.end <= k.start or m.start >= k.end for k in kept)]
        doc.set_ents(sorted(kept, key=lambda x: x.start), missing=free, default="outside")
        db.add(doc)
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)
    return n


def read_training(
    names: Iterable[str], corpora_root: Path | None = None, exclude: frozenset[str] | set[str] = frozenset()
) -> list[Example]:
    """The named training corpora, in order, minus ``exclude`` (test and dev texts), conventions
    harmonised.

    People's Daily gets MISSING spans where it leaves unmarked what MSRA's training part
    annotates (see ``read_pd1998``); the MSRA strings come from training sentences only, read
    once for both uses.
    """
    names = list(names)
    msra: list[Example] = []
    if "msra-train" in names or "pd1998" in names:
        msra = [ex for ex in read_corpus("msra-train", corpora_root) if ex.text not in exclude]
    out: list[Example] = []
    for name in names:
        if name == "pd1998":
            rows: Iterable[Example] = read_pd1998(
                corpus_path(name, corpora_root), entity_strings(msra), entity_labels(msra)
            )
        elif name == "msra-train":
            rows = msra
        else:
            rows = read_corpus(name, corpora_root)
        out.extend(ex for ex in rows if ex.text.strip() and ex.text not in exclude)
    return out


def build_corpus(
    work_dir: Path,
    corpora: Iterable[str] = DEFAULT_TRAIN_CORPORA,
    corpora_root: Path | None = None,
    limit: int = 0,
    seed: int = 13,
) -> dict[str, int]:
    """Write train.spacy and dev.spacy; dev is a fixed random sample of MSRA train."""
    test_texts = {ex.text for ex in read_corpus("msra-test", corpora_root)}
    dev = msra_dev(corpora_root, seed) if "msra-train" in corpora else []
    exclude = test_texts | {ex.text for ex in dev}
    rng = random.Random(seed + 1)
    train = read_training(corpora, corpora_root, exclude)
    train.extend(name_lists(train))
    rng.shuffle(train)
    if limit:
        train, dev = train[:limit], dev[: max(200, limit // 20)]
    counts = {
        "train_docs": _docbin(train, work_dir / "train.spacy"),
        "dev_docs": _docbin(dev, work_dir / "dev.spacy"),
        "train_chars": sum(len(e.text) for e in train),
    }
    return counts


def msra_dev(corpora_root: Path | None = None, seed: int = 13) -> list[Example]:
    """The MSRA-train sentences held out as dev (model selection, combiner calibration)."""
    test_texts = {ex.text for ex in read_corpus("msra-test", corpora_root)}
    rows = [ex for ex in read_corpus("msra-train", corpora_root) if ex.text.strip() and ex.text not in test_texts]
    random.Random(seed).shuffle(rows)
    return rows[:DEV_SIZE]


def train(
    output: Path,
    work_dir: Path,
    max_steps: int = 20000,
    corpora: Iterable[str] = DEFAULT_TRAIN_CORPORA,
    corpora_root: Path | None = None,
    limit: int = 0,
    overrides: dict[str, object] | None = None,
) -> Path:
    """Build the corpus, train with spaCy's trainer, copy model-best to ``output``."""
    from spacy.cli.train import train as spacy_train

    from pipeline.model import architectures  # noqa: F401  registers pinghu.CharFeatureEmbed.v1

    t0 = time.time()
    counts = build_corpus(work_dir, corpora, corpora_root, limit)
    run_dir = work_dir / "run"
    opts: dict[str, object] = {
        "paths.train": str(work_dir / "train.spacy"),
        "paths.dev": str(work_dir / "dev.spacy"),
        "training.max_steps": max_steps,
    }
    opts.update(overrides or {})
    spacy_train(CONFIG_PATH, run_dir, overrides=opts, use_gpu=-1)
    best = run_dir / "model-best"
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(best, output)
    meta = {
        "corpora": list(corpora),
        "counts": counts,
        "max_steps": max_steps,
        "overrides": {k: v for k, v in opts.items() if not k.startswith("paths.")},
        "train_seconds": round(time.time() - t0, 1),
    }
    (output / "training.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return output


def finetune(
    base: Path,
    output: Path,
    work_dir: Path,
    max_steps: int = 3000,
    corpora: Iterable[str] = DEFAULT_TRAIN_CORPORA,
    corpora_root: Path | None = None,
    divisions_dir: Path | None = None,
    learn_rate: float = 0.0005,
    limit: int = 0,
) -> Path:
    """Phase 2: continue training ``base`` on the corpora plus their augmented copies.

    Model selection uses MSRA dev plus its augmented copy, so a checkpoint must stay good on
    national news while it learns county-level names.
    """
    from spacy.cli.train import train as spacy_train

    from pipeline.model import architectures  # noqa: F401
    from pipeline.training.augment import augmented

    t0 = time.time()
    test_texts = {ex.text for ex in read_corpus("msra-test", corpora_root)}
    dev = msra_dev(corpora_root)
    dev_texts = {ex.text for ex in dev}
    rng = random.Random(31)
    original = read_training(corpora, corpora_root, test_texts | dev_texts)
    if limit:
        original = original[:limit]
        dev = dev[: max(100, limit // 10)]
    extra = list(augmented(original, divisions_dir)) + list(name_lists(original))
    train_rows = original + extra
    rng.shuffle(train_rows)
    dev_rows = dev + list(augmented(dev, divisions_dir, seed=37))
    counts = {
        "train_docs": _docbin(train_rows, work_dir / "train.spacy"),
        "augmented_docs": len(extra),
        "dev_docs": _docbin(dev_rows, work_dir / "dev.spacy"),
    }
    cfg_path = _finetune_config(base, work_dir, max_steps, learn_rate)
    run_dir = work_dir / "run"
    spacy_train(cfg_path, run_dir, overrides={"paths.train": str(work_dir / "train.spacy"),
                                               "paths.dev": str(work_dir / "dev.spacy")}, use_gpu=-1)
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(run_dir / "model-best", output)
    base_meta = json.loads((base / "training.json").read_text(encoding="utf-8")) if (base / "training.json").exists() else {}
    meta = {
        "phase1": base_meta,
        "phase2": {"counts": counts, "max_steps": max_steps, "learn_rate": learn_rate,
                   "train_seconds": round(time.time() - t0, 1)},
    }
    (output / "training.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return output


def _finetune_config(base: Path, work_dir: Path, max_steps: int, learn_rate: float) -> Path:
    """The phase-1 config with both components sourced from ``base`` and a gentler schedule."""
    from confection import Config

    cfg = Config().from_disk(CONFIG_PATH, interpolate=False)
    for comp in ("tok2vec", "ner"):
        cfg["components"][comp] = {"source": str(base.resolve())}
    cfg["training"]["max_steps"] = max_steps
    cfg["training"]["eval_frequency"] = 500
    cfg["training"]["optimizer"]["learn_rate"] = learn_rate
    cfg["training"]["batcher"]["size"]["start"] = 2000
    cfg_path = work_dir / "finetune.cfg"
    cfg.to_disk(cfg_path)
    return cfg_path
