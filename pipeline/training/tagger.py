"""Train the character BiLSTM tagger (``pipeline.model.lstm_tagger``) and ship it as a spaCy pipeline.

Needs PyTorch at training time only (``pip install -e .[train]``); the result is ONNX plus a
vocabulary inside an ordinary spaCy pipeline directory, run with onnxruntime.

Recipe (fixed seeds, fixed corpus order, so a rerun gives the same weights on the same build):
MSRA train minus the dev carve-out and any test sentence, People's Daily 1998 harmonised to
MSRA's conventions (``read_training``), synthetic name lists; sentences cut at punctuation into
pieces of at most 160 characters; batches of 32 pieces of similar length; Adam 2e-3, learning
rate x0.8 after each epoch, gradient norm clipped at 5, dropout 0.3; one thread.  Each member's
checkpoint with the best MSRA-dev F1 is kept, and the members are exported as one graph averaged
with the weights that score best on MSRA dev (``assemble``).

This module is the training loop and the orchestration (members in parallel, a second phase,
assembly); the recipe and data live in ``pipeline.training.tagger_data`` and the network, its
inference and export in ``pipeline.training.tagger_net``.  Why split: the three together were
over the project's 500-line module limit, and they change for different reasons.  Every name of
both is re-exported here, so ``pipeline.training.tagger`` stays the one import for callers (the CLI,
the tests, which also monkeypatch ``training_data`` here: the functions below look it up here).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from pipeline.model.batching import equal_length_batches
from pipeline.model.lstm_tagger import (
    BOS,
    EOS,
    LABELS,
    LEXICON_SIZES,
    TAGS,
    Vocab,
    input_names,
    tags_to_spans,
    viterbi,
)
from pipeline.training.corpora import MISSING, Example
from pipeline.training.tagger_data import (
    IGNORE,
    MEMBERS,
    PIECE_PUNCT,
    RECIPE,
    TAG_ID,
    TaggerConfig,
    build_vocab,
    gold_tags,
    load_members,
    pieces,
    selection_dev,
    training_data,
)
from pipeline.training.tagger_net import (
    as_tensors,
    build_network,
    choose_weights,
    decode_tags,
    export_onnx,
    log_probs,
    predict,
    quantize,
    save_pipeline,
    span_f1,
)

# Names importable from this module before the split (re-exported, see the docstring).
__all__ = [
    "BOS", "EOS", "IGNORE", "LABELS", "LEXICON_SIZES", "MEMBERS", "MISSING", "PIECE_PUNCT", "RECIPE", "TAGS",
    "TAG_ID", "Example", "TaggerConfig", "Vocab", "decode_tags", "span_f1", "_fit", "build_network", "as_tensors", "assemble",
    "build_vocab", "choose_weights", "equal_length_batches", "export_onnx", "finetune_member", "gold_tags",
    "input_names", "load_members", "log_probs", "member_data", "pieces", "predict", "pretrained_vectors",
    "quantize", "save_pipeline", "selection_dev", "tags_to_spans", "train_member", "train_tagger",
    "training_data", "viterbi",
]


def _batches(data: Sequence[tuple[str, list[int]]], size: int, rng: random.Random) -> Iterator[list[int]]:
    order = sorted(range(len(data)), key=lambda i: len(data[i][0]))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    yield from groups


def _fit(
    net, vocab: Vocab, data: Sequence[tuple[str, list[int]]], dev: Sequence[Example], cfg: TaggerConfig,
    best_path: Path, log: bool, start: float | None = None,
) -> list[dict[str, float]]:  # noqa: ANN001
    """Epochs of Adam over ``data``; keeps the checkpoint with the best ``dev`` F1 in ``best_path``.

    ``start``: the dev F1 of the weights the net starts from (a second phase); they are the
    checkpoint to beat, and stay if no epoch beats them."""
    import torch
    from torch import nn

    rng = random.Random(cfg.seed)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.learn_rate)
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
    curve: list[dict[str, float]] = []
    best = -1.0
    if start is not None:
        best = start
        torch.save(net.state_dict(), best_path)
    t0 = time.time()
    dev_texts = [e.text for e in dev]
    for epoch in range(1, cfg.epochs + 1):
        for group in _batches(data, cfg.batch, rng):
            feats, y = as_tensors([data[i][0] for i in group], [data[i][1] for i in group], vocab, cfg.softword,
                                cfg.lexicon)
            loss = loss_fn(net(*feats).reshape(-1, len(TAGS)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), cfg.clip)
            opt.step()
        for g in opt.param_groups:
            g["lr"] *= cfg.decay
        dev_f1 = span_f1(dev, predict(net, vocab, dev_texts, cfg.softword, cfg.lexicon))
        curve.append({"epoch": epoch, "dev_f1": round(dev_f1, 4), "minutes": round((time.time() - t0) / 60, 1)})
        if log:
            print(f"member seed {cfg.seed} epoch {epoch}: dev F1 {dev_f1:.4f} ({curve[-1]['minutes']} min)",
                  flush=True)
        if dev_f1 > best:
            best = dev_f1
            torch.save(net.state_dict(), best_path)
    net.load_state_dict(torch.load(best_path))
    return curve


def member_data(
    cfg: TaggerConfig, corpora_root: Path | None = None, divisions_dir: Path | None = None,
) -> tuple[Vocab, list[tuple[str, list[int]]], list[Example]]:
    """(vocabulary, training pieces, dev).  The vocabulary comes from the corpora alone, so every
    member has the same one whatever its augmentation, and members can share one graph's inputs."""
    from pipeline.training.augment import augmented

    rows, dev, _test = training_data(corpora_root, cfg.cluener)
    data = [p for ex in rows for p in pieces(ex, cfg.max_len)]
    vocab = build_vocab(data, cfg)
    if cfg.augment:
        data += [p for ex in augmented(rows, divisions_dir) for p in pieces(ex, cfg.max_len)]
    return vocab, data, dev


def _checkpoint(work_dir: Path, cfg: TaggerConfig, phase: int) -> Path:
    """Phase 1's best weights, and the member's final ones (``assemble`` reads these): the same
    file when the member has no second phase."""
    base = "" if phase == 2 or not cfg.finetune_epochs else ".base"
    return work_dir / f"member-{cfg.seed}{base}.pt"


def train_member(
    cfg: TaggerConfig, work_dir: Path, corpora_root: Path | None = None, divisions_dir: Path | None = None,
    log: bool = True,
) -> dict[str, object]:
    """Train one member on one thread; its best weights go to ``work_dir/member-<seed>.pt``
    (phase 1's to ``member-<seed>.base.pt`` first when the member has a second phase)."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    t0 = time.time()
    vocab, data, dev = member_data(cfg, corpora_root, divisions_dir)
    net = build_network(vocab, cfg)
    coverage = {}
    if cfg.pretrained:
        from pipeline.training.embeddings import initialise, load_vectors

        coverage = initialise(net, vocab, load_vectors(pretrained_vectors(work_dir, cfg, corpora_root)))
    work_dir.mkdir(parents=True, exist_ok=True)
    # Every member builds the same vocabulary (member_data); the exporter reads it from here.
    (work_dir / "vocab.json").write_text(json.dumps(vocab.to_json(), ensure_ascii=False), encoding="utf-8")
    curve = _fit(net, vocab, data, dev, cfg, _checkpoint(work_dir, cfg, 1), log)
    report = {"config": asdict(cfg), "train_pieces": len(data), "train_chars": sum(len(t) for t, _ in data),
              "pretrained_coverage": coverage, "curve": curve, "minutes": round((time.time() - t0) / 60, 1)}
    (work_dir / f"member-{cfg.seed}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    if cfg.finetune_epochs:
        del net, data
        report = finetune_member(cfg, work_dir, corpora_root, divisions_dir, log)
    return report


def finetune_member(
    cfg: TaggerConfig, work_dir: Path, corpora_root: Path | None = None, divisions_dir: Path | None = None,
    log: bool = True,
) -> dict[str, object]:
    """The second phase: from ``member-<seed>.base.pt``, ``finetune_epochs`` epochs over the rows
    of ``finetune_sources`` (and their county-level copies if the member augments or
    ``finetune_augment``) at
    ``finetune_learn_rate``, selected on the same dev as phase 1; the starting weights count as
    epoch 0, so the phase never makes the member worse on dev.

    The torch seed is reset and the network rebuilt before loading, so this phase gives the same
    weights whether it follows phase 1 in one process or runs alone (``--finetune-only``)."""
    from dataclasses import replace

    import torch

    from pipeline.training.augment import augmented

    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    t0 = time.time()
    vocab = Vocab.from_json(json.loads((work_dir / "vocab.json").read_text(encoding="utf-8")))
    rows, dev, _test = training_data(corpora_root, cfg.cluener)
    rows = [r for r in rows if r.source in cfg.finetune_sources]
    data = [p for ex in rows for p in pieces(ex, cfg.max_len)]
    if cfg.augment or cfg.finetune_augment:
        data += [p for ex in augmented(rows, divisions_dir) for p in pieces(ex, cfg.max_len)]
    net = build_network(vocab, cfg)
    net.load_state_dict(torch.load(_checkpoint(work_dir, cfg, 1)))
    start = span_f1(dev, predict(net, vocab, [e.text for e in dev], cfg.softword, cfg.lexicon))
    phase = replace(cfg, learn_rate=cfg.finetune_learn_rate, epochs=cfg.finetune_epochs)
    curve = _fit(net, vocab, data, dev, phase, _checkpoint(work_dir, cfg, 2), log, start=start)
    path = work_dir / f"member-{cfg.seed}.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    report["config"] = asdict(cfg)  # phase 1's report may predate the second-phase settings
    report["finetune"] = {"train_pieces": len(data), "train_chars": sum(len(t) for t, _ in data),
                          "start_dev_f1": round(start, 4), "curve": curve,
                          "minutes": round((time.time() - t0) / 60, 1)}
    path.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


def pretrained_vectors(work_dir: Path, cfg: TaggerConfig, corpora_root: Path | None = None) -> Path:
    """``work_dir/pretrained.npz``, trained once (``pipeline.training.embeddings``) and shared by
    every member; test texts and the dev carve-outs never enter it."""
    from pipeline.training.corpora import read_corpus
    from pipeline.training.embeddings import raw_texts, save_vectors, train_vectors

    path = work_dir / "pretrained.npz"
    if not path.exists():
        held_out = [*selection_dev(corpora_root, cfg.cluener), *read_corpus("msra-test", corpora_root),
                    *read_corpus("cluener-dev", corpora_root)]
        exclude = {e.text for e in held_out}
        work_dir.mkdir(parents=True, exist_ok=True)
        save_vectors(train_vectors(raw_texts(corpora_root, exclude), cfg.char_dim, cfg.bigram_dim), path)
    return path


def _train_member_job(args: tuple) -> dict[str, object]:
    return train_member(*args)


def _finetune_member_job(args: tuple) -> dict[str, object]:
    return finetune_member(*args)


def train_tagger(
    output: Path, work_dir: Path, members: Sequence[TaggerConfig] = MEMBERS, corpora_root: Path | None = None,
    divisions_dir: Path | None = None, processes: int = 2, finetune_only: bool = False,
) -> Path:
    """Train the members in parallel (one process and one thread each), export their weighted average.

    ``finetune_only``: run only the second phase of the members that have one, from the phase-1
    checkpoints already in ``work_dir`` (``pinghu-ner train --finetune-only``)."""
    import multiprocessing as mp

    jobs = [(cfg, work_dir, corpora_root, divisions_dir) for cfg in members
            if cfg.finetune_epochs or not finetune_only]
    job = _finetune_member_job if finetune_only else _train_member_job
    if not finetune_only and any(cfg.pretrained for cfg in members):  # once, before the members start
        pretrained_vectors(work_dir, next(cfg for cfg in members if cfg.pretrained), corpora_root)
    if processes > 1 and len(jobs) > 1:
        with mp.get_context("spawn").Pool(min(processes, len(jobs))) as pool:
            pool.map(job, jobs)
    else:
        for args in jobs:
            job(args)
    return assemble(output, work_dir, members, corpora_root)


def assemble(
    output: Path, work_dir: Path, members: Sequence[TaggerConfig] = MEMBERS, corpora_root: Path | None = None,
    dev: Sequence[Example] | None = None,
) -> Path:
    """Export the members trained in ``work_dir`` as one weighted ensemble (``choose_weights``)
    and save it as a spaCy pipeline; ``pinghu-ner train --assemble-only`` runs this step alone."""
    import torch

    vocab = Vocab.from_json(json.loads((work_dir / "vocab.json").read_text(encoding="utf-8")))
    nets, reports = [], []
    for cfg in members:
        net = build_network(vocab, cfg)
        net.load_state_dict(torch.load(work_dir / f"member-{cfg.seed}.pt"))
        nets.append(net)
        reports.append(json.loads((work_dir / f"member-{cfg.seed}.json").read_text(encoding="utf-8")))
    dev = selection_dev(corpora_root, members[0].cluener) if dev is None else dev
    weights, table = choose_weights(nets, members, vocab, dev)
    export_onnx(nets, vocab, work_dir / "model.onnx", members, weights)
    meta = {"architecture": "weighted ensemble of char+bigram BiLSTM taggers (soft word, lexicon rows per member), "
                            "BIOES, constrained Viterbi",
            "members": reports, "weights": weights, "weights_msra_dev_f1": table}
    return save_pipeline(work_dir / "model.onnx", vocab, output, meta)
