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
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
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

IGNORE = -100
TAG_ID = {t: i for i, t in enumerate(TAGS)}
PIECE_PUNCT = "，。；！？、：,;"


@dataclass(frozen=True)
class TaggerConfig:
    """One member of the ensemble.  The defaults are small-experiment conveniences; the shipped
    recipe is ``pipeline/model/lstm.cfg`` (``load_members``)."""

    char_dim: int = 100
    bigram_dim: int = 50
    hidden: int = 200
    softword: bool = True  # the jieba soft-word (B/M/E/S) embedding
    softword_dim: int = 20
    lexicon: bool = False  # the jieba-dictionary SoftLexicon rows (lstm_tagger.lexicon_ids)
    lexicon_dim: int = 8  # per typed row; the all-words row gets twice this
    dropout: float = 0.3
    augment: bool = False  # add county-level entity-replacement copies (pipeline.training.augment)
    max_chars: int = 8000
    max_bigrams: int = 80000
    bigram_min_count: int = 3
    max_len: int = 160
    batch: int = 32
    learn_rate: float = 2e-3
    decay: float = 0.8
    clip: float = 5.0
    epochs: int = 6
    seed: int = 7
    cluener: bool = False  # add CLUENER2020 train (its training part, harmonised), select on its held-out part too
    pretrained: bool = False  # start the char/bigram tables from word2vec vectors (pipeline.training.embeddings)
    # A second phase (``finetune_member``): from phase 1's best weights, more epochs over the rows
    # of these sources only, at a lower rate.  Why: People's Daily 1998 is half the rows and its
    # conventions differ from the evaluated ones even after harmonisation; ending on the corpora
    # whose conventions the selection sets share gains more than it forgets (MODEL_CARD.md).
    finetune_epochs: int = 0
    finetune_sources: tuple[str, ...] = ("msra", "namelist", "cluener")
    finetune_learn_rate: float = 5e-4
    finetune_augment: bool = False  # phase 2 adds the county-level copies of its rows, whatever ``augment``


RECIPE = Path(__file__).resolve().parent.parent / "model" / "lstm.cfg"


def load_members(path: Path = RECIPE) -> tuple[TaggerConfig, ...]:
    """The members a recipe file lists, in order: its [tagger] section overridden per member.

    An unknown key is an error, not ignored: a misspelt hyperparameter would otherwise train the
    default silently."""
    from thinc.api import Config

    cfg = Config().from_disk(path)
    shared = dict(cfg.get("tagger", {}))
    members = []
    for name, section in cfg.get("members", {}).items():
        values = {**shared, **section}
        unknown = set(values) - set(TaggerConfig.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: [members.{name}] unknown setting(s) {sorted(unknown)}")
        if "finetune_sources" in values:
            values["finetune_sources"] = tuple(values["finetune_sources"])
        members.append(TaggerConfig(**values))
    if not members:
        raise ValueError(f"{path}: no [members.*] section")
    return tuple(members)


MEMBERS = load_members()


def gold_tags(ex: Example) -> list[int]:
    """BIOES ids per character; MISSING spans are ignored by the loss."""
    y = [TAG_ID["O"]] * len(ex.text)
    for s, e, label in ex.spans:
        if label == MISSING:
            y[s:e] = [IGNORE] * (e - s)
        elif label in LABELS:
            if e - s == 1:
                y[s] = TAG_ID[f"S-{label}"]
            else:
                y[s:e] = [TAG_ID[f"B-{label}"], *[TAG_ID[f"I-{label}"]] * (e - s - 2), TAG_ID[f"E-{label}"]]
    return y


def pieces(ex: Example, max_len: int = 160) -> list[tuple[str, list[int]]]:
    """Cut a long sentence after punctuation that no entity crosses, into <= max_len pieces."""
    text, y = ex.text, gold_tags(ex)
    if len(text) <= max_len:
        return [(text, y)]
    inside = [False] * (len(text) + 1)
    for s, e, _ in ex.spans:
        for i in range(s + 1, e):
            inside[i] = True
    out: list[tuple[str, list[int]]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + max_len)
        if end < len(text):
            cut = end
            for j in range(end, start + 20, -1):
                if text[j - 1] in PIECE_PUNCT and not inside[j]:
                    cut = j
                    break
            while cut < len(text) and inside[cut] and cut > start + 1:
                cut -= 1
            end = cut
        out.append((text[start:end], y[start:end]))
        start = end
    return out


def build_vocab(data: Sequence[tuple[str, list[int]]], cfg: TaggerConfig) -> Vocab:
    chars: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for text, _ in data:
        chars.update(text)
        padded = BOS + text + EOS
        bigrams.update(padded[i : i + 2] for i in range(len(padded) - 1))
    return Vocab(
        [c for c, _ in chars.most_common(cfg.max_chars)],
        [b for b, n in bigrams.most_common(cfg.max_bigrams) if n >= cfg.bigram_min_count],
    )


def training_data(
    corpora_root: Path | None = None, cluener: bool = False,
) -> tuple[list[Example], list[Example], list[Example]]:
    """(train, dev, test) examples, with the same exclusions as the spaCy recipe.

    With ``cluener``, CLUENER2020 train's training part joins the rows, harmonised to MSRA's
    conventions (``harmonise_cluener``), and its held-out part joins dev."""
    from pipeline.training.augment import name_lists
    from pipeline.training.cnn import msra_dev, read_training
    from pipeline.training.corpora import cluener_split, entity_strings, harmonise_cluener, read_corpus

    test = list(read_corpus("msra-test", corpora_root))
    dev = msra_dev(corpora_root)
    exclude = {e.text for e in test} | {e.text for e in dev}
    rows = read_training(("msra-train", "pd1998"), corpora_root, exclude)
    rows += list(name_lists(rows))
    if cluener:
        part, held = cluener_split(corpora_root)
        unsure = {w for w in entity_strings([r for r in rows if r.source == "msra"]) if len(w) > 1}
        rows += harmonise_cluener([ex for ex in part if ex.text not in exclude], unsure)
        dev = dev + held
    return rows, dev, test


def selection_dev(corpora_root: Path | None = None, cluener: bool = False) -> list[Example]:
    """The sentences epochs and ensemble weights are chosen on (never a test set)."""
    from pipeline.training.cnn import msra_dev
    from pipeline.training.corpora import cluener_split

    return msra_dev(corpora_root) + (cluener_split(corpora_root)[1] if cluener else [])


def _network(vocab: Vocab, cfg: TaggerConfig):  # noqa: ANN202 - torch types are optional
    import torch
    from torch import nn

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            nc, nb = vocab.sizes
            self.ce = nn.Embedding(nc, cfg.char_dim, padding_idx=0)
            self.be = nn.Embedding(nb, cfg.bigram_dim, padding_idx=0)
            width = cfg.char_dim + 2 * cfg.bigram_dim
            if cfg.softword:
                self.se = nn.Embedding(5, cfg.softword_dim, padding_idx=0)
                width += cfg.softword_dim
            if cfg.lexicon:
                dims = [2 * cfg.lexicon_dim, *[cfg.lexicon_dim] * (len(LEXICON_SIZES) - 1)]
                self.le = nn.ModuleList(nn.Embedding(k, d) for k, d in zip(LEXICON_SIZES, dims))
                width += sum(dims)
            self.drop = nn.Dropout(cfg.dropout)
            self.lstm = nn.LSTM(width, cfg.hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * cfg.hidden, len(TAGS))

        def forward(self, chars, left, right, *rows):  # noqa: ANN001, ANN002, ANN202
            """``rows``: the soft-word row and/or the lexicon rows, as ``input_names`` lists them."""
            parts = [self.ce(chars), self.be(left), self.be(right)]
            rows = list(rows)
            if cfg.softword:
                parts.append(self.se(rows.pop(0)))
            if cfg.lexicon:
                parts.extend(emb(r) for emb, r in zip(self.le, rows))
            x = torch.cat(parts, dim=-1)
            h, _ = self.lstm(self.drop(x))
            return self.out(self.drop(h))

    return Tagger()


def _batches(data: Sequence[tuple[str, list[int]]], size: int, rng: random.Random) -> Iterator[list[int]]:
    order = sorted(range(len(data)), key=lambda i: len(data[i][0]))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    yield from groups


def _tensors(  # noqa: ANN202
    texts: Sequence[str], tags: Sequence[list[int]] | None, vocab: Vocab, softword: bool, lexicon: bool = False
):
    import torch

    n = max(len(t) for t in texts)
    feats = torch.zeros(len(input_names(softword, lexicon)), len(texts), n, dtype=torch.long)
    y = torch.full((len(texts), n), IGNORE, dtype=torch.long)
    for k, text in enumerate(texts):
        feats[:, k, : len(text)] = torch.from_numpy(vocab.features(text, softword, lexicon))
        if tags is not None:
            y[k, : len(text)] = torch.tensor(tags[k])
    return feats, y


def predict(  # noqa: ANN001
    net, vocab: Vocab, texts: Sequence[str], softword: bool, lexicon: bool = False
) -> list[list[tuple[int, int, str]]]:
    """Unpadded equal-length batches, as the ONNX runtime does."""
    return _decode(texts, log_probs(net, vocab, texts, softword, lexicon))


def _decode(texts: Sequence[str], logps: Sequence) -> list[list[tuple[int, int, str]]]:
    """Spans from per-text log-probabilities, Viterbi run once per batch of equal-length texts."""
    import numpy as np

    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for group in equal_length_batches(texts):
        for i, tags in zip(group, viterbi(np.stack([logps[i] for i in group]))):
            out[i] = tags_to_spans(tags)
    return out


def log_probs(  # noqa: ANN001
    net, vocab: Vocab, texts: Sequence[str], softword: bool, lexicon: bool = False
) -> list:
    """(n, tags) log-probabilities per text, in equal-length batches; the net is left in training mode."""
    import numpy as np
    import torch

    net.eval()
    out: list = [np.zeros((0, len(TAGS)), dtype=np.float32) for _ in texts]
    with torch.no_grad():
        for group in equal_length_batches(texts):
            feats, _ = _tensors([texts[i] for i in group], None, vocab, softword, lexicon)
            for i, lp in zip(group, torch.log_softmax(net(*feats), -1).numpy()):
                out[i] = lp
    net.train()
    return out


def choose_weights(
    nets: Sequence, configs: Sequence[TaggerConfig], vocab: Vocab, dev: Sequence[Example], step: float = 0.1,
) -> tuple[list[float], dict[str, float]]:
    """The members' weights in the ensemble average, the grid point (steps of ``step``, each at
    least one step) with the best MSRA-dev F1; ties go to the most even.  Why: members differ in strength
    (B trains on augmented copies and is weaker on national news), and an even average lets the
    weaker one outvote the stronger where both are unsure.  Chosen on dev, never on test."""
    import itertools

    texts = [e.text for e in dev]
    member_lp = [log_probs(net, vocab, texts, cfg.softword, cfg.lexicon) for net, cfg in zip(nets, configs)]
    n = len(nets)
    units = round(1 / step)
    grid = [c for c in itertools.product(range(1, units), repeat=n) if sum(c) == units] if n > 1 else [(units,)]
    table: dict[str, float] = {}
    best: tuple[float, float, list[float]] = (-1.0, 0.0, [1.0 / n] * n)
    for combo in grid:
        w = [c / units for c in combo]
        mixed = [sum(wk * lp[i] for wk, lp in zip(w, member_lp)) for i in range(len(texts))]
        f1 = _f1(dev, _decode(texts, mixed))
        table[" ".join(f"{x:.1f}" for x in w)] = round(f1, 4)
        evenness = -max(w)
        if (f1, evenness) > best[:2]:
            best = (f1, evenness, w)
    return best[2], table


def _f1(gold: Sequence[Example], pred: Sequence[list[tuple[int, int, str]]]) -> float:
    """Strict micro F1, the project's scorer (``pipeline.evaluation.metrics``)."""
    from pipeline.evaluation.metrics import score_spans

    kept = [[s for s in spans if not any(a < s[1] and s[0] < b for a, b in ex.ignore)]
            for ex, spans in zip(gold, pred)]  # predictions inside a region gold leaves open
    return score_spans([[s for s in ex.spans if s[2] in LABELS] for ex in gold], kept).strict.micro.f1


def export_onnx(
    nets: Sequence, vocab: Vocab, path: Path, configs: Sequence[TaggerConfig], weights: Sequence[float] | None = None,
) -> None:
    """One ONNX graph: the members' log-softmax outputs averaged, with ``weights`` (default
    even; one member: itself).

    Members share the vocabulary (it is built from the same data the same way); the graph takes
    every input some member uses, and a member without a feature ignores that input.  Averaging log-probabilities of independently
    trained taggers is the cheapest reliable gain in sequence labelling, and one graph keeps the
    runtime a single onnxruntime call.
    """
    import torch

    class Ensemble(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.members = torch.nn.ModuleList(nets)

        def forward(self, *feats):  # noqa: ANN002, ANN202
            given = dict(zip(names, feats))
            outs = [torch.log_softmax(m(*(given[k] for k in input_names(c.softword, c.lexicon))), -1)
                    for m, c in zip(self.members, configs)]
            if len(outs) == 1:
                return outs[0]
            return sum(w * o for w, o in zip(mix, outs))

    mix = [1.0 / len(nets)] * len(nets) if weights is None else [float(w) for w in weights]

    for net in nets:
        net.eval()
    softword, lexicon = any(c.softword for c in configs), any(c.lexicon for c in configs)
    example = torch.from_numpy(vocab.features("平湖市发展和改革局", softword, lexicon)[:, None, :].repeat(2, 1))
    names = input_names(softword, lexicon)
    axes = {0: "batch", 1: "length"}
    torch.onnx.export(
        Ensemble(), tuple(example), str(path), input_names=names, output_names=["logp"],
        dynamic_axes={**{n: axes for n in names}, "logp": axes}, opset_version=17, dynamo=False,
    )


def quantize(onnx_path: Path, out_path: Path) -> Path:
    """Dynamic int8 quantisation of the weights (LSTM and linear layers, embeddings).

    Measured on the shipped ensembles: 4x smaller (~42 MB to 10.5 MB) and 1.5x faster on one
    core, for at most 0.001 of MSRA test micro F1 (0.902 float, 0.901 int8); activations stay float.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(onnx_path), str(out_path), weight_type=QuantType.QInt8)
    return out_path


def save_pipeline(
    onnx_path: Path, vocab: Vocab, output: Path, meta: dict[str, object], int8: bool = True
) -> Path:
    """An ordinary spaCy pipeline directory whose only component is the ONNX tagger."""
    import shutil

    import spacy

    from pipeline.model import lstm_component  # noqa: F401  registers the factory

    if int8:
        onnx_path = quantize(onnx_path, onnx_path.with_name(onnx_path.stem + ".int8.onnx"))
    nlp = spacy.blank("zh")
    ner = nlp.add_pipe("pinghu_lstm_ner")
    ner.set_model(onnx_path.read_bytes(), vocab)  # type: ignore[attr-defined]
    if output.exists():
        shutil.rmtree(output)
    nlp.to_disk(output)
    (output / "training.json").write_text(json.dumps({**meta, "int8": int8}, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    return output


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
            feats, y = _tensors([data[i][0] for i in group], [data[i][1] for i in group], vocab, cfg.softword,
                                cfg.lexicon)
            loss = loss_fn(net(*feats).reshape(-1, len(TAGS)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), cfg.clip)
            opt.step()
        for g in opt.param_groups:
            g["lr"] *= cfg.decay
        dev_f1 = _f1(dev, predict(net, vocab, dev_texts, cfg.softword, cfg.lexicon))
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
    net = _network(vocab, cfg)
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
    net = _network(vocab, cfg)
    net.load_state_dict(torch.load(_checkpoint(work_dir, cfg, 1)))
    start = _f1(dev, predict(net, vocab, [e.text for e in dev], cfg.softword, cfg.lexicon))
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
        net = _network(vocab, cfg)
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
