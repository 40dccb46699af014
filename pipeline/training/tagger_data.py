"""The BiLSTM tagger's recipe and training data: the member settings (``TaggerConfig``, read
from ``pipeline/model/lstm.cfg``), the corpora each member trains and is selected on, and the
sentences turned into (text, BIOES ids) pieces and a vocabulary.

Why a module of its own: this part needs no PyTorch and is what the tests of the training data
exercise; ``pipeline.training.tagger`` (the training loop and orchestration) and
``pipeline.training.tagger_net`` (the network, its inference and export) build on it.  Every name
here is also importable from ``pipeline.training.tagger``, as before the split.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.model.lstm_tagger import BOS, EOS, LABELS, TAGS, Vocab
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
