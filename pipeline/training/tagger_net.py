"""The BiLSTM tagger's network in PyTorch: its construction, batched inference (log-probabilities,
Viterbi spans, the dev F1), the ensemble weights, and the export to ONNX inside a spaCy pipeline.

Why a module of its own: this is everything that touches a built network, apart from the
recipe and data (``pipeline.training.tagger_data``) and from the loop that trains the members and
assembles them (``pipeline.training.tagger``), which calls into it; keeping the three apart keeps
each under the project's module-size rule.  PyTorch is imported inside the functions, so importing
this module needs none.  Every name here is also importable from ``pipeline.training.tagger``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipeline.model.batching import equal_length_batches
from pipeline.model.lstm_tagger import LABELS, LEXICON_SIZES, TAGS, Vocab, input_names, tags_to_spans, viterbi
from pipeline.model.members import SECOND_FILE
from pipeline.training.corpora import Example
from pipeline.training.split_members import member_graphs, split, with_lengths
from pipeline.training.tagger_data import IGNORE, TaggerConfig


def build_network(vocab: Vocab, cfg: TaggerConfig):  # noqa: ANN202 - torch types are optional
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


def as_tensors(  # noqa: ANN202
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
    return decode_tags(texts, log_probs(net, vocab, texts, softword, lexicon))


def decode_tags(texts: Sequence[str], logps: Sequence) -> list[list[tuple[int, int, str]]]:
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
            feats, _ = as_tensors([texts[i] for i in group], None, vocab, softword, lexicon)
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
        f1 = span_f1(dev, decode_tags(texts, mixed))
        table[" ".join(f"{x:.1f}" for x in w)] = round(f1, 4)
        evenness = -max(w)
        if (f1, evenness) > best[:2]:
            best = (f1, evenness, w)
    return best[2], table


def span_f1(gold: Sequence[Example], pred: Sequence[list[tuple[int, int, str]]]) -> float:
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
    """An ordinary spaCy pipeline directory whose only component is the ONNX tagger (an
    ensemble's members apart: ``pipeline.training.split_members``)."""
    import shutil

    import spacy

    from pipeline.model import lstm_component  # noqa: F401  registers the factory

    if int8:
        onnx_path = quantize(onnx_path, onnx_path.with_name(onnx_path.stem + ".int8.onnx"))
    nlp = spacy.blank("zh")
    ner = nlp.add_pipe("pinghu_lstm_ner")
    if member_graphs(onnx_path):  # an ensemble: its members apart, the second read where the first is unsure
        parts = onnx_path.with_name(onnx_path.stem + ".members")
        parts.mkdir(exist_ok=True)
        weights = split(onnx_path, parts)
        ner.set_model((parts / "model.onnx").read_bytes(), vocab,  # type: ignore[attr-defined]
                      ((parts / SECOND_FILE).read_bytes(), weights))
    else:
        with_lengths(onnx_path)
        ner.set_model(onnx_path.read_bytes(), vocab)  # type: ignore[attr-defined]
    if output.exists():
        shutil.rmtree(output)
    nlp.to_disk(output)
    (output / "training.json").write_text(json.dumps({**meta, "int8": int8}, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    return output
