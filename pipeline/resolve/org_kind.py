"""What kind of body an organisation's name names: a company, a public agency, or another organisation.

Why: the tables carry companies as a type of their own (issue 31: ``entities.kind = company``), and
a name's kind is written in its characters (有限公司, 支行, 科技 for a company; 局, 委员会, 政府 for
an agency; 学校, 医院, 协会 for the rest), not in a list of the bodies a county happens to have.  So
the kind is *learned*: a linear model over character n-grams and name endings, trained on
CLUENER2020's company / government / organization strings (``python -m pipeline.training.org_kind``,
model card ``models/org_kind.md``).  A name no list holds (a new 某某新材料有限公司, another
county's 发展和改革局) still gets a kind.

The artefact is plain JSON (``models/org_kind.json``: feature → one weight per kind, plus a bias
per kind), read once and scored with numpy, so neither scikit-learn nor the training corpora are
needed at run time.  The features are made here, by the same function the trainer calls, so the
two cannot drift apart.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from pipeline.gazetteers import normalise
from pipeline.settings import REPO_DIR

__all__ = ["KINDS", "MODEL_PATH", "OrgKindModel", "features", "load_model", "org_kind", "org_kind_scores"]

KINDS: tuple[str, ...] = ("company", "agency", "organisation")
# Beside the NER model's directory, as the issue names it; the trainer writes here by default.
MODEL_PATH = REPO_DIR / "models" / "org_kind.json"
FORMAT = "org-kind/1"
NGRAM_SIZES = (1, 2, 3)
SUFFIX_SIZES = (1, 2, 3, 4)
BEGIN = "^"  # marks the start of the name, so 中共… and 国家… differ from the same characters inside it
FALLBACK = "organisation"  # the kind of a name with no known feature at all (an empty string)


def prepare(name: str) -> str:
    """The name as the features read it: the gazetteer's key form (NFKC, no spaces or quote
    marks, so （集团） and (集团) are one) in lower case, so Latin names (Yahoo, yahoo) are one."""
    return normalise(name).lower()


def features(name: str) -> list[str]:
    """Feature strings of ``name`` (repeats kept: a count model).

    ``g:`` character n-grams of 1-3 characters over the name with a start mark, and ``s:`` its
    last 1-4 characters as separate features.  Why the endings apart: in a Chinese body name the
    last word says the kind (…局, …有限公司, …大学) and the n-grams alone do not know where the
    name ends (银行 inside 中国人民银行研究局 is not the name's kind)."""
    text = prepare(name)
    if not text:
        return []
    padded = BEGIN + text
    out = [f"g:{padded[i:i + n]}" for n in NGRAM_SIZES for i in range(len(padded) - n + 1)
           if padded[i:i + n] != BEGIN]
    out += [f"s:{text[-n:]}" for n in SUFFIX_SIZES if n <= len(text)]
    return out


class OrgKindModel:
    """A linear model over ``features``: score(kind) = bias + Σ weight(feature, kind)."""

    def __init__(self, kinds: Sequence[str], vocabulary: Sequence[str], weights: np.ndarray,
                 bias: np.ndarray) -> None:
        if tuple(kinds) != KINDS:
            raise ValueError(f"org-kind model kinds {tuple(kinds)} are not {KINDS}")
        if weights.shape != (len(vocabulary), len(KINDS)) or bias.shape != (len(KINDS),):
            raise ValueError(f"org-kind model shapes: weights {weights.shape}, bias {bias.shape}, "
                             f"vocabulary {len(vocabulary)}")
        self.index = {f: i for i, f in enumerate(vocabulary)}
        self.weights = weights
        self.bias = bias

    @classmethod
    def from_json(cls, data: dict) -> OrgKindModel:
        """The model from the artefact's JSON object (``OrgKindModel.to_json``'s shape)."""
        if data.get("format") != FORMAT:
            raise ValueError(f"org-kind model format {data.get('format')!r}, expected {FORMAT!r}")
        vocab = list(data["weights"])
        w = np.array([data["weights"][f] for f in vocab], dtype=np.float64).reshape(len(vocab), len(KINDS))
        return cls(data["kinds"], vocab, w, np.array(data["bias"], dtype=np.float64))

    def to_json(self, **extra: object) -> dict:
        """The artefact's JSON object; ``extra`` keys (the training record) are kept alongside."""
        vocab = sorted(self.index, key=self.index.__getitem__)
        return {"format": FORMAT, "kinds": list(KINDS), "bias": [round(float(b), 5) for b in self.bias],
                "weights": {f: [round(float(v), 4) for v in self.weights[self.index[f]]] for f in vocab},
                **extra}

    def scores(self, name: str) -> np.ndarray:
        """Unnormalised score per kind (``KINDS`` order)."""
        rows = [i for i in map(self.index.get, features(name)) if i is not None]
        if not rows:
            return self.bias.copy()
        return self.bias + self.weights[rows].sum(axis=0)

    def predict(self, name: str) -> str:
        """The kind with the highest score; ``FALLBACK`` where the name has no known feature."""
        rows = [i for i in map(self.index.get, features(name)) if i is not None]
        if not rows:
            return FALLBACK
        return KINDS[int(np.argmax(self.bias + self.weights[rows].sum(axis=0)))]


@cache
def load_model(path: Path = MODEL_PATH) -> OrgKindModel:
    """The artefact at ``path``, read once per process."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: org-kind model not found (python -m pipeline.training.org_kind writes it)")
    return OrgKindModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def org_kind(name: str) -> str:
    """``"company"``, ``"agency"`` or ``"organisation"``: the kind of body ``name`` names."""
    return load_model().predict(name)


def org_kind_scores(name: str) -> dict[str, float]:
    """Each kind's probability for ``name`` (softmax of the scores), for a caller that wants to
    keep only sure calls (an NB model's probabilities are over-confident: compare, do not trust)."""
    s = load_model().scores(name)
    top = float(s.max())
    e = [math.exp(float(v) - top) for v in s]
    total = sum(e)
    return {k: v / total for k, v in zip(KINDS, e)}
