"""A character BiLSTM tagger, run with onnxruntime (its spaCy component: ``lstm_component``).

Why this shape: the Chinese NER literature's strong CPU-sized model is a BiLSTM over character
and character-bigram embeddings with a constrained BIOES decoder.  It is trained with PyTorch
(``pipeline.training.tagger``, a training-time extra) and exported to ONNX, so the pipeline runs it
with onnxruntime, already a dependency for LAC: no torch at run time.  Wrapping it as a spaCy
component (``pinghu_lstm_ner``, in ``lstm_component``) keeps one model interface:
``spacy.load(models/...)`` gives a pipeline whose ``doc.ents`` are the tagger's spans, like any
spaCy NER.  This module imports no spaCy, so the pipeline can run the shipped tagger without
loading spaCy (``OnnxTagger.from_dir``; a third of a second per process).

The decoder is Viterbi over the tagger's log-probabilities restricted to legal BIOES moves, so an
I-ORG never follows B-PERSON and every span is closed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from pipeline.model.anchors import anchored_paths
from pipeline.model.batching import LENGTHS, crf_viterbi, equal_length_batches, length_sorted_batches
from pipeline.model.codes import code_points, pair_key
from pipeline.model.dictionary import dictionary, long_words
from pipeline.model.members import (
    DEFAULT_BELOW,
    DEFAULT_CONTEXT,
    DEFAULT_UNIT,
    MEMBERS_FILE,
    SECOND_FILE,
    SecondMember,
    is_ensemble,
    read_weights,
    second_reads,
)
from pipeline.model.wordseg import cut_words

LABELS = ("PERSON", "PLACE", "ORG")
TAGS = ("O", *(f"{p}-{label}" for label in LABELS for p in "BIES"))
PAD, UNK = 0, 1
BOS, EOS = "\x02", "\x03"


def _legal() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transition, start and end masks of BIOES."""
    def parts(tag: str) -> tuple[str, str]:
        return ("O", "") if tag == "O" else (tag[0], tag[2:])

    k = len(TAGS)
    trans = np.zeros((k, k), dtype=bool)
    for a, ta in enumerate(TAGS):
        pa, la = parts(ta)
        for b, tb in enumerate(TAGS):
            pb, lb = parts(tb)
            trans[a, b] = (pb in "IE" and lb == la) if pa in "BI" else pb in "OBS"
    start = np.array([parts(t)[0] in "OBS" for t in TAGS])
    end = np.array([parts(t)[0] in "OES" for t in TAGS])
    return trans, start, end


_TRANS, _START, _END = _legal()
_NEG = -1e9
_TRANS_SCORE = np.where(_TRANS, 0.0, _NEG).astype(np.float32)


def softword_ids(text: str) -> list[int]:
    """1/2/3/4 = B/M/E/S of the jieba word each character is in (the 'soft word' feature)."""
    out: list[int] = []
    for w in cut_words(text):
        out.extend([4] if len(w) == 1 else [1, *[2] * (len(w) - 2), 3])
    return out


LEXICON_ROWS = ("lex_word", "lex_nr", "lex_ns", "lex_nt")
# Row sizes: lex_word codes B2/B3+/M/E2/E3+ as five bits, the typed rows B/M/E as three.
LEXICON_SIZES = (32, 8, 8, 8)
_LEX_MAX = 12


def lexicon_ids(text: str) -> np.ndarray:
    """(4, n) codes of every dictionary word covering each character, not only the segmenter's
    one best path ("SoftLexicon", Ma et al. 2020): for a character, whether some word of two or
    more characters Begins, is in the Middle of, or Ends at it, over all words, and over the words
    the dictionary types as person, place or organisation names.

    Why: an entity's boundary is usually a word boundary, and long organisation names are chains
    of dictionary words; the one-best soft word hides the alternatives.  The dictionary is
    jieba's (a dependency already), so the feature needs no shipped lexicon and was never fitted
    to the NER corpora's gold spans.
    """
    types = dictionary().types  # by the word's key id
    n = len(text)
    rows = [[0] * n for _ in range(4)]  # Python ints while marking: numpy's per-element ops cost more
    word = rows[0]
    for i, j, key in long_words(text):
        size = j - i
        if size > _LEX_MAX:
            continue
        word[i] |= 2 if size > 2 else 1
        word[j - 1] |= 16 if size > 2 else 8
        for m in range(i + 1, j - 1):
            word[m] |= 4
        t = types[key]
        if t:
            for r in range(3):
                if t >> r & 1:
                    row = rows[1 + r]
                    row[i] |= 1
                    row[j - 1] |= 4
                    for m in range(i + 1, j - 1):
                        row[m] |= 2
    return np.array(rows, dtype=np.int64).reshape(4, n)


def input_names(softword: bool, lexicon: bool, lengths: bool = False) -> list[str]:
    """The network's inputs, in the order ``Vocab.features`` stacks its rows; with ``lengths``
    last, the input that tells its LSTM each text's length (``PADDED_BATCH``)."""
    return ["chars", "left", "right", *(["softword"] if softword else []), *(LEXICON_ROWS if lexicon else []),
            *([LENGTHS] if lengths else [])]


class Vocab:
    """Character and bigram ids; 0 is padding, 1 unknown."""

    def __init__(self, chars: Sequence[str], bigrams: Sequence[str]) -> None:
        self.chars = {c: i + 2 for i, c in enumerate(chars)}
        self.bigrams = {b: i + 2 for i, b in enumerate(bigrams)}
        # The same ids as arrays, looked up a text at a time (a dict lookup per character and per
        # bigram cost a twentieth of the default's time): a character's id by code point, and the
        # bigrams' code-point pairs sorted, found by bisection.
        chars_cp = code_points("".join(self.chars))
        self._char_ids = np.full(int(chars_cp.max(initial=0)) + 2, UNK, dtype=np.int64)  # last slot: any code point above
        self._char_ids[chars_cp] = np.fromiter(self.chars.values(), dtype=np.int64, count=len(self.chars))
        pairs = code_points("".join(self.bigrams)).reshape(-1, 2)
        keys = pair_key(pairs[:, 0], pairs[:, 1])
        order = np.argsort(keys, kind="stable")
        self._bigram_keys = keys[order]
        self._bigram_ids = np.fromiter(self.bigrams.values(), dtype=np.int64, count=len(self.bigrams))[order]

    @property
    def sizes(self) -> tuple[int, int]:
        return len(self.chars) + 2, len(self.bigrams) + 2

    def ids(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(character ids, ids of the n + 1 bigrams of BOS + text + EOS)."""
        codes = code_points(BOS + text + EOS)
        chars = self._char_ids[np.minimum(codes[1:-1], len(self._char_ids) - 1)]
        pairs = pair_key(codes[:-1], codes[1:])
        if not len(self._bigram_keys):
            return chars, np.full(len(pairs), UNK, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._bigram_keys, pairs), len(self._bigram_keys) - 1)
        bigrams = np.where(self._bigram_keys[at] == pairs, self._bigram_ids[at], UNK)
        return chars, bigrams

    def features(self, text: str, softword: bool = False, lexicon: bool = False) -> np.ndarray:
        """(3, n) ids: the character, the bigram ending at it, the bigram starting at it;
        with ``softword`` a further row, the character's place in its jieba word (B/M/E/S);
        with ``lexicon`` four more, the dictionary words over it (``lexicon_ids``)."""
        out = np.empty((len(input_names(softword, lexicon)), len(text)), dtype=np.int64)
        out[0], pairs = self.ids(text)
        out[1] = pairs[:-1]
        out[2] = pairs[1:]
        if softword:
            out[3] = softword_ids(text)
        if lexicon:
            out[-len(LEXICON_ROWS) :] = lexicon_ids(text)
        return out

    def to_json(self) -> dict[str, list[str]]:
        return {"chars": list(self.chars), "bigrams": list(self.bigrams)}

    @classmethod
    def from_json(cls, data: dict[str, list[str]]) -> Vocab:
        return cls(data["chars"], data["bigrams"])


_START_SCORE = np.where(_START, 0.0, _NEG)
_END_SCORE = np.where(_END, 0.0, _NEG)


# Texts read as one window (``OnnxTagger.read``): a text's batch-mates are among them.  128 holds
# a page's pieces (about 80 on the bench's pages), so its texts of neighbouring lengths meet in a
# batch; in windows of spaCy's 32, member A's onnxruntime time on the unseen set's pages was 14%
# more (docs/speed.md).
READ_WINDOW = 128

# Windows of texts whose log-probabilities are held and decoded at once: 2 windows of 128 pieces
# of up to 800 characters, 13 floats a character and ``decode``'s copies, some 50 MB at most,
# whatever the length of the text the pieces come from.
READ_WINDOWS = 2

# Texts per onnxruntime call for a network told each text's length (its ``lengths`` input wired
# into its LSTM's ``sequence_lens``: ``pipeline.model.batching.wire_lengths``): a window's texts,
# shortest first, in padded batches of this many.  The int8 LSTM's step costs little more for 4
# rows than for one (docs/speed.md).
PADDED_BATCH = 4

# Below this, two tags' log-probabilities at a character count as tied (the decoder's sums run in
# float64; its rounding at the scores a text reaches is ten orders of magnitude smaller).
GREEDY_MARGIN = 1e-6


def viterbi(logp: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """Best legal tag sequences for a (batch, n, tags) array of log-probabilities: BIOES moves
    only (``crf_viterbi`` with the legal-move scores; ties go to the lowest tag).  ``lengths``:
    each text's own length (at least 1) when the batch is padded (its tags are
    ``[b, :lengths[b]]``, the rest 0).  The padded face of ``decode``."""
    batch, n, _ = logp.shape
    lengths = np.full(batch, n) if lengths is None else np.asarray(lengths, dtype=np.int64)
    out = np.zeros((batch, n), dtype=np.int64)
    for row, tags in enumerate(decode([logp[b, : lengths[b]] for b in range(batch)])[0]):
        out[row, : len(tags)] = tags
    return out


def decode(logps: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each text's best legal tags, and each character's best log-probability, for texts of any
    lengths (each at least 1), given as they are: the checks below run over all their characters
    at once, with no padding to the longest (a page's pieces run from 5 to 800 characters).

    Shortcut, exact: legal moves score 0 and illegal ones -1e9, so a path's score is the sum of
    its tags' log-probabilities.  Where each character's best tag is unique (by more than
    ``GREEDY_MARGIN``) and the sequence of best tags is itself legal, no other path reaches that
    sum and the decoder's own steps would choose the same tags at every character; those texts
    skip the step-per-character loop (most texts: a confident tagger's best tags are legal).  The
    rest are decoded by their unsure stretches (``anchors.anchored_paths``, exact), and those whose
    cut does not hold together by ``crf_viterbi``, each to its own length."""
    lengths = np.fromiter((len(x) for x in logps), dtype=np.int64, count=len(logps))
    if not len(logps):
        return [], []
    flat = np.concatenate(logps)
    starts = np.zeros(len(logps), dtype=np.int64)
    starts[1:] = np.cumsum(lengths)[:-1]
    ends = starts + lengths
    best = flat.argmax(-1)
    top = flat.max(-1)
    margin = top - np.partition(flat, -2, axis=-1)[:, -2]  # how far each best tag leads the next
    unique = np.logical_and.reduceat(margin > GREEDY_MARGIN, starts)
    moves = np.ones(len(flat), dtype=bool)  # moves[i]: best[i] -> best[i + 1] legal, or i ends its text
    moves[:-1] = _TRANS[best[:-1], best[1:]]
    moves[ends - 1] = True
    legal = np.logical_and.reduceat(moves, starts) & _START[best[starts]] & _END[best[ends - 1]]
    small = np.abs(np.add.reduceat(top.astype(np.float64), starts)) < 1e4
    tags = [best[a:b] for a, b in zip(starts, ends)]
    unsure = np.flatnonzero(~(unique & legal) & small)
    if len(unsure):  # decoded by their unsure stretches (``anchors``), whole where a cut fails
        bad = margin <= GREEDY_MARGIN
        bad |= ~moves
        bad[1:] |= ~moves[:-1]  # both characters of an illegal move (never across texts)
        bad[starts] |= ~_START[best[starts]]
        bad[ends - 1] |= ~_END[best[ends - 1]]
        cut = anchored_paths([logps[i] for i in unsure], *([a[starts[i] : ends[i]] for i in unsure] for a in (best, margin, bad)),
                             viterbi=_strict)
        for i, path in zip(unsure, cut):
            if path is not None:
                tags[i] = path
        whole = [i for i, path in zip(unsure, cut) if path is None]
    else:
        whole = []
    rest = np.array(sorted([*whole, *np.flatnonzero(~small)]), dtype=np.int64)
    if len(rest):
        padded = np.zeros((len(rest), int(lengths[rest].max()), flat.shape[1]), dtype=flat.dtype)
        for row, i in enumerate(rest):
            padded[row, : lengths[i]] = logps[i]
        paths = _strict(padded, lengths[rest])
        for row, i in enumerate(rest):
            tags[i] = paths[row, : lengths[i]]
    return tags, [top[a:b] for a, b in zip(starts, ends)]


def _strict(rows: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Best legal paths of a padded batch, each text to its own length (``crf_viterbi``)."""
    return crf_viterbi(rows, _TRANS_SCORE, _START_SCORE, _END_SCORE, lengths=lengths)


def tags_to_spans(tags: Iterable[int]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each closed BIOES span."""
    out: list[tuple[int, int, str]] = []
    start = -1
    for i, t in enumerate(tags):
        tag = TAGS[t]
        if tag == "O":
            start = -1
        elif tag[0] == "S":
            out.append((i, i + 1, tag[2:]))
        elif tag[0] == "B":
            start = i
        elif tag[0] == "E" and start >= 0:
            out.append((start, i + 1, tag[2:]))
            start = -1
    return out


def span_confidence(logp: np.ndarray, tags: np.ndarray, start: int, end: int) -> float:
    """Geometric mean of the chosen tags' probabilities over the span: how sure the tagger is of
    both the boundaries and the type.  Lets a combiner outvote a tagger's unsure guesses."""
    return float(np.exp(logp[np.arange(start, end), tags[start:end]].mean()))


class OnnxTagger:
    """The exported network plus its vocabulary: text in, spans out; with ``second``, an
    ensemble whose second member reads where the first is unsure (``members``)."""

    def __init__(self, onnx_bytes: bytes, vocab: Vocab, threads: int = 1, second: SecondMember | None = None) -> None:
        self.onnx_bytes = onnx_bytes
        self.vocab = vocab
        self.session = _session(onnx_bytes, threads)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.softword = "softword" in self.inputs
        self.lexicon = LEXICON_ROWS[0] in self.inputs
        self.padded = LENGTHS in self.inputs  # told each text's length: padded batches (``PADDED_BATCH``)
        self.second: SecondMember | None = None
        self.second_session: object | None = None
        self.second_inputs: list[str] = []
        if second is not None:
            self.add_second(second, _session(second.onnx_bytes, threads))
        self.characters_read = [0, 0]  # by the first member, by the second (what the cascade saves)

    def add_second(self, second: SecondMember, session: object) -> None:
        """Make this tagger an ensemble whose second member (its onnxruntime ``session``, already
        made: a loader that checked the member's network keeps its session) reads as ``second`` says."""
        self.second, self.second_session = second, session
        self.second_inputs = [i.name for i in session.get_inputs()]  # type: ignore[attr-defined]

    @classmethod
    def from_dir(cls, path: Path, threads: int = 1, below: float = DEFAULT_BELOW, unit: int = DEFAULT_UNIT,
                 context: int = DEFAULT_CONTEXT) -> OnnxTagger:
        """The tagger a component directory holds (``model.onnx``, ``vocab.json``; for an ensemble
        also ``second.onnx`` and ``members.json``: ``members``)."""
        vocab = Vocab.from_json(json.loads((path / "vocab.json").read_text(encoding="utf-8")))
        second = None
        if is_ensemble(path):
            second = SecondMember((path / SECOND_FILE).read_bytes(), read_weights(path / MEMBERS_FILE), below, unit,
                                  context)
        return cls((path / "model.onnx").read_bytes(), vocab, threads, second)

    def spans(self, texts: Sequence[str]) -> list[list[tuple[int, int, str, float]]]:
        """(start, end, label, confidence) per text."""
        return [r.spans for r in self.read(texts)]

    def read(self, texts: Sequence[str], window: int = READ_WINDOW) -> list[Reading]:
        """Each text's spans and how sure the tagger is of each character (``Reading``).  The
        texts of each ``window`` of consecutive texts run in batches (``_run``): of equal length,
        or padded for a network told each text's length, whose LSTM then never reads the pads.
        The int8 LSTM quantises a batch's activations together (one range per step over the
        batch's rows), so a text's log-probabilities move a little with its batch-mates; the
        window fixes which texts those can be, so they do not depend on how many texts a call
        holds beyond it (the second member's clauses are batched within the same window).
        The texts are then decoded together (``decode``, each to its own length), ``READ_WINDOWS``
        windows at a time: a text's tags do not depend on the texts decoded with it, and the
        log-probabilities of a one-line file's every piece (issue 33) held at once, with
        ``decode``'s copies of them, were most of its memory."""
        out = [Reading([], np.ones(len(t), dtype=np.float32)) for t in texts]
        step = window * READ_WINDOWS
        for block in range(0, len(texts), step):
            logps: dict[int, np.ndarray] = {}
            for w in range(block, min(block + step, len(texts)), window):
                ids = range(w, min(w + window, len(texts)))
                logps.update(self._run(self.session, self.inputs, {i: texts[i] for i in ids}))
                self.characters_read[0] += sum(len(texts[i]) for i in ids)
                if self.second is not None:
                    self._average(texts, logps, ids)
            done = sorted(logps)
            for i, tags, top in zip(done, *decode([logps[i] for i in done])):
                lp = logps[i]
                out[i] = Reading([(s, e, label, span_confidence(lp, tags, s, e))
                                  for s, e, label in tags_to_spans(tags)], np.exp(top))
        return out

    def _run(self, session: object, inputs: list[str], texts: dict[object, str]) -> dict[object, np.ndarray]:
        """Log-probabilities of each text, by key: texts of equal length in one call, or, for a
        network told each text's length, padded batches of ``PADDED_BATCH`` texts of neighbouring
        lengths (shortest first; the sort is stable, so a text's batch-mates follow from the
        texts given, nothing else)."""
        keys = list(texts)
        values = [texts[k] for k in keys]
        softword, lexicon = "softword" in inputs, LEXICON_ROWS[0] in inputs
        out: dict[object, np.ndarray] = {}
        groups = length_sorted_batches(values, PADDED_BATCH) if LENGTHS in inputs else equal_length_batches(values)
        for group in groups:
            each = [self.vocab.features(values[k], softword, lexicon) for k in group]
            lengths = np.array([f.shape[1] for f in each], dtype=np.int64)
            feats = np.zeros((len(each), len(each[0]), int(lengths.max())), dtype=np.int64)
            for b, f in enumerate(each):
                feats[b, :, : f.shape[1]] = f
            (logp,) = session.run(None, feed(inputs, feats, lengths))  # type: ignore[attr-defined]
            out.update((keys[k], lp[:n]) for k, lp, n in zip(group, logp, lengths))
        return out

    def _average(self, texts: Sequence[str], logps: dict[int, np.ndarray], ids: Iterable[int]) -> None:
        """Average the second member's log-probabilities into ``logps`` where it reads (``members``)."""
        second = self.second
        assert second is not None and self.second_session is not None
        wanted = {(i, *read): texts[i][read[0] : read[1]] for i in ids if i in logps
                  for read in second_reads(texts[i], logps[i], second)}
        if not wanted:
            return
        self.characters_read[1] += sum(re_ - rs for _, rs, re_, _s, _e in wanted)
        first_w, second_w = np.float32(second.weights[0]), np.float32(second.weights[1])
        mixed: dict[int, np.ndarray] = {}
        for (i, rs, _re, s, e), lp in self._run(self.second_session, self.second_inputs, wanted).items():  # type: ignore[misc]
            if i not in mixed:
                mixed[i] = logps[i] if second.everywhere else logps[i].copy()
            mixed[i][s:e] = first_w * logps[i][s:e] + second_w * lp[s - rs : e - rs]
        logps.update(mixed)


def feed(inputs: Sequence[str], feats: np.ndarray, lengths: np.ndarray) -> dict[str, np.ndarray]:
    """The onnxruntime feed of a network whose inputs are ``inputs``: (batch, rows, n) feature ids
    (``Vocab.features`` stacked, padded to the longest text), and each text's length where the
    network takes ``lengths``."""
    out = {name: feats[:, r] for r, name in enumerate(n for n in inputs if n != LENGTHS)}
    if LENGTHS in inputs:
        out[LENGTHS] = np.asarray(lengths, dtype=np.int64)
    return out


def _session(onnx_bytes: bytes, threads: int) -> object:
    """An onnxruntime session on ``threads`` threads, CPU only."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(onnx_bytes, opts, providers=["CPUExecutionProvider"])


class Reading(NamedTuple):
    """What the tagger read in one text: its spans (start, end, label, confidence) and, per
    character, the probability of its most likely tag (how sure the tagger is there; the
    recognise stage's ``gate`` consults a second tagger only where this is low)."""

    spans: list[tuple[int, int, str, float]]
    confidence: np.ndarray


FACTORY = "pinghu_lstm_ner"  # the spaCy component's name (``lstm_component``) and its directory
