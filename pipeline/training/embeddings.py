"""Character and bigram vectors pretrained on the raw text of the corpora (gensim word2vec).

Why: the tagger's embedding tables start random and only the characters and bigrams of the
labelled sentences move them; vectors learnt from co-occurrence over all the raw text give rare
bigrams (the second character of an unseen company name, a county's town) a sensible place from
the start.  The vectors only initialise the tables: they are trained further with the tagger and
shipped inside its ONNX graph, so nothing is loaded at run time.

Raw text: MSRA NER train, People's Daily 1998-01 and CLUENER2020 train, tags stripped (the SIGHAN
2005 files here hold word lists and test sentences, not running training text).  Test texts (MSRA
test, CLUENER dev) never enter.  Needs gensim (the ``[train]`` extra).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from pipeline.model.lstm_tagger import BOS, EOS, Vocab
from pipeline.training.corpora import read_corpus

RAW_CORPORA = ("msra-train", "pd1998", "cluener-train")


def raw_texts(corpora_root: Path | None = None, exclude: frozenset[str] | set[str] = frozenset()) -> Iterator[str]:
    """Every sentence of the raw-text corpora, minus ``exclude`` (the test texts)."""
    for name in RAW_CORPORA:
        for ex in read_corpus(name, corpora_root):
            if ex.text.strip() and ex.text not in exclude:
                yield ex.text


def _bigrams(text: str) -> list[str]:
    padded = BOS + text + EOS
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def train_vectors(
    texts: Iterable[str], char_dim: int, bigram_dim: int, seed: int = 5, workers: int = 2, epochs: int = 5,
) -> dict[str, dict[str, np.ndarray]]:
    """{"chars": {char: vector}, "bigrams": {bigram: vector}}: skip-gram, window 5, min count 3."""
    from gensim.models import Word2Vec

    texts = list(texts)
    out: dict[str, dict[str, np.ndarray]] = {}
    for key, dim, tokens in (("chars", char_dim, [list(t) for t in texts]),
                             ("bigrams", bigram_dim, [_bigrams(t) for t in texts])):
        model = Word2Vec(tokens, vector_size=dim, window=5, min_count=3, sg=1, negative=5, workers=workers,
                         epochs=epochs, seed=seed)
        out[key] = {w: model.wv[w] for w in model.wv.index_to_key}
    return out


def save_vectors(vectors: dict[str, dict[str, np.ndarray]], path: Path) -> None:
    arrays = {}
    for key, table in vectors.items():
        arrays[f"{key}_words"] = np.array(list(table), dtype=object)
        arrays[f"{key}_vectors"] = np.stack(list(table.values())).astype(np.float32)
    np.savez(path, **arrays)


def load_vectors(path: Path) -> dict[str, dict[str, np.ndarray]]:
    data = np.load(path, allow_pickle=True)
    return {key: dict(zip(data[f"{key}_words"].tolist(), data[f"{key}_vectors"]))
            for key in ("chars", "bigrams")}


def initialise(net, vocab: Vocab, vectors: dict[str, dict[str, np.ndarray]]) -> dict[str, float]:  # noqa: ANN001
    """Copy the pretrained vectors into the tagger's character and bigram tables, rescaled to the
    tables' random initial spread (standard normal) so pretrained and unseen rows start alike.
    Returns the share of each vocabulary covered."""
    import torch

    coverage = {}
    for key, table, ids in (("chars", net.ce, vocab.chars), ("bigrams", net.be, vocab.bigrams)):
        found = [(i, vectors[key][w]) for w, i in ids.items() if w in vectors[key]]
        if not found:
            coverage[key] = 0.0
            continue
        mat = np.stack([v for _, v in found])
        mat = mat / (mat.std() or 1.0)
        with torch.no_grad():
            table.weight[[i for i, _ in found]] = torch.from_numpy(mat.astype(np.float32))
        coverage[key] = round(len(found) / max(1, len(ids)), 4)
    return coverage
