"""Character features for a Chinese NER model in spaCy, registered for its config system.

Legacy: the layers of the earlier CNN + transition-based model (``pinghu-ner train --arch cnn``,
``pipeline/training/cnn.py``), kept for comparison (see the model card).  The shipped BiLSTM does
not use them; the runtime imports this module only when a model's config names its layer.

spaCy's ``MultiHashEmbed`` embeds a token's own attributes.  With one token per character (the
segmentation that keeps every entity boundary reachable) those attributes say almost nothing:
NORM, PREFIX and SUFFIX of ``市`` are all ``市``.  What a character tagger needs is its context,
and the Chinese NER literature's cheapest strong features are the character bigrams on either
side and the "soft word" (the word a segmenter puts the character in, and the character's
position in it).  This module extracts those per token and embeds each with a ``HashEmbed``, so
the rest of the model is stock spaCy (``Tok2Vec.v2`` + ``MaxoutWindowEncoder`` + ``ner``).
"""

from __future__ import annotations

import numpy
from murmurhash import hash_unicode
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d

from pipeline.model.wordseg import cut_words

FEATURES = ("char", "bigram_left", "bigram_right", "trigram", "softword", "shape")

def _shape(ch: str) -> str:
    if not ch:
        return "E"
    c = ch[0]
    if c.isspace():
        return "S"
    if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf":
        return "H"
    if c.isdigit():
        return "D"
    if c.isascii() and c.isalpha():
        return "L"
    return "P"


def doc_features(doc: Doc, use_softword: bool = True) -> numpy.ndarray:
    """One row of uint64 feature ids per token: FEATURES, in that order."""
    words = [t.text for t in doc]
    n = len(words)
    out = numpy.zeros((n, len(FEATURES)), dtype="uint64")
    if n == 0:
        return out
    padded = ["<s>", *words, "</s>"]
    soft = [""] * n
    if use_softword:
        # Map each character offset of the text to its soft word tag, then read it per token.
        tag_at: dict[int, str] = {}
        pos = 0
        for w in cut_words(doc.text):
            if len(w) == 1:
                tag_at[pos] = w + "|S"
            else:
                tag_at[pos] = w + "|B"
                for k in range(1, len(w) - 1):
                    tag_at[pos + k] = w + "|M"
                tag_at[pos + len(w) - 1] = w + "|E"
            pos += len(w)
        soft = [tag_at.get(t.idx, "") for t in doc]
    for i in range(n):
        prev, cur, nxt = padded[i], padded[i + 1], padded[i + 2]
        out[i, 0] = hash_unicode(cur) & 0xFFFFFFFF
        out[i, 1] = hash_unicode(prev + "|" + cur) & 0xFFFFFFFF
        out[i, 2] = hash_unicode(cur + "|" + nxt) & 0xFFFFFFFF
        out[i, 3] = hash_unicode(prev + cur + nxt) & 0xFFFFFFFF
        out[i, 4] = hash_unicode(soft[i]) & 0xFFFFFFFF
        out[i, 5] = hash_unicode(_shape(prev) + _shape(cur) + _shape(nxt)) & 0xFFFFFFFF
    return out


def char_feature_extractor(use_softword: bool) -> Model[list[Doc], list[Ints2d]]:
    def forward(model: Model, docs: list[Doc], is_train: bool):
        feats = [model.ops.asarray2i(doc_features(doc, use_softword), dtype="uint64") for doc in docs]
        return feats, lambda d_feats: []

    return Model("char_features", forward, attrs={"use_softword": use_softword})


@registry.architectures("pinghu.CharFeatureEmbed.v1")
def char_feature_embed(
    width: int,
    embed_width: int,
    rows: list[int],
    use_softword: bool = True,
    dropout: float = 0.0,
) -> Model[list[Doc], list[Floats2d]]:
    """Hash-embed each context feature and mix them with a Maxout layer, as MultiHashEmbed does.

    The tables are narrower than the output (``embed_width`` < ``width``): they hold most of the
    parameters, and the model card's size limit is spent better on rows than on width.
    """
    if len(rows) != len(FEATURES):
        raise ValueError(f"rows must give one table size per feature {FEATURES}, got {rows}")
    embeddings = [
        HashEmbed(embed_width, nrows, column=i, seed=7 + i, dropout=dropout) for i, nrows in enumerate(rows)
    ]
    mix = Maxout(width, embed_width * len(embeddings), nP=3, dropout=0.0, normalize=True)
    return chain(
        char_feature_extractor(use_softword),
        list2ragged(),
        with_array(chain(concatenate(*embeddings), mix)),
        ragged2list(),
    )
