"""Our trained spaCy model as a recognise variant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline.ingest import printable
from pipeline.recognize.base import (
    BackendUnavailable,
    ModelFileError,
    Piece,
    Recognizer,
    chunks,
    join_pieces,
    read_model_json,
    register,
)
from pipeline.records import Span

if TYPE_CHECKING:  # the model's module loads with the model (importing this one stays cheap)
    from pipeline.model import lstm_tagger
    from pipeline.model.lstm_tagger import Reading

LEGACY_CNN_LAYER = "pinghu.CharFeatureEmbed.v1"  # in a config.cfg: a model of the retired CNN path
MODEL_SOURCE = "spacy"  # the registered name, which the combiner and the repairs see on spans
# The longest piece of a line the BiLSTM reads at once (``chunks``).  Why 800, not the 250-300 of
# the other taggers: a bidirectional LSTM reads the whole piece as context, and its cost is linear
# in length.  Chosen on MSRA test, whose nine lines over 300 characters are the only long lines in
# the independent sets (model alone, micro F1: 300 -> 0.9185, 500 -> 0.9193, 800 -> 0.9210,
# 1200 -> 0.9207, 3000 -> 0.9210; README "Accuracy" has the ablation): the shortest on the plateau.
PIECE_LIMIT = 800


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def load_tagger(component: Path, reads: Mapping[str, float] | None = None) -> lstm_tagger.OnnxTagger:
    """The BiLSTM of a model's component directory, each file checked: ``vocab.json`` an object
    of one-character ``chars`` and two-character ``bigrams``, ``model.onnx`` (and an ensemble's
    ``second.onnx``) a network that onnxruntime loads with the tagger's inputs and that reads a
    line into tag scores, ``members.json`` the ensemble's two weights.  Anything else is a
    ``ModelFileError`` naming the file, before any text is read.  ``reads``: ``below``, ``unit``
    and ``context``, where the second member reads (``pipeline.model.members``; absent: defaults)."""
    from pipeline.model import lstm_tagger, members

    vocab_path = component / "vocab.json"
    raw = read_model_json(vocab_path)
    if not isinstance(raw, dict):
        raise ModelFileError(vocab_path, f"not a JSON object (a {type(raw).__name__})")
    for key, width in (("chars", 1), ("bigrams", 2)):
        entries = raw.get(key)
        # By type and by length over the whole list at once: 85k entries, checked at every start.
        if not isinstance(entries, list) or set(map(type, entries)) - {str} or set(map(len, entries)) - {width}:
            raise ModelFileError(vocab_path, f"field {key!r} is not a list of {width}-character strings")
    vocab = lstm_tagger.Vocab.from_json(raw)
    first = _checked_net(component / "model.onnx", vocab)
    if members.is_ensemble(component):
        weights_path = component / members.MEMBERS_FILE
        try:
            pair = members.weights_from(read_model_json(weights_path))
        except ValueError as exc:
            raise ModelFileError(weights_path, str(exc)) from None
        net = _checked_net(component / members.SECOND_FILE, vocab)
        given = {k: v for k, v in (reads or {}).items() if v is not None}  # the rest: SecondMember's defaults
        first.add_second(members.SecondMember(net.onnx_bytes, pair, **given), net.session)  # type: ignore[arg-type]
    return first


def _checked_net(onnx_path: Path, vocab: lstm_tagger.Vocab) -> lstm_tagger.OnnxTagger:
    """One member's network, loaded and run once on a line (``load_tagger``)."""
    from pipeline.model import lstm_tagger

    try:
        data = onnx_path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(onnx_path, "missing") from None
    except OSError as exc:
        raise ModelFileError(onnx_path, f"unreadable: {exc.strerror or exc}") from None
    if not data:
        raise ModelFileError(onnx_path, "empty file")
    try:
        tagger = lstm_tagger.OnnxTagger(data, vocab)
        expected = lstm_tagger.input_names(tagger.softword, tagger.lexicon, tagger.padded)
        if tagger.inputs != expected:
            raise ValueError(f"inputs {tagger.inputs}, not the tagger's {expected}")
        tagger.read(["今天上午召开会议"])  # the outputs' shape, the vocabulary within the embeddings
    except Exception as exc:  # onnxruntime's errors (InvalidProtobuf, Fail …) share no public base
        raise ModelFileError(onnx_path, f"not a tagger onnxruntime can load and run ({_first_line(exc)})") from None
    return tagger


@register(MODEL_SOURCE)
class SpacyRecognizer(Recognizer):
    def __init__(self, model_dir: Path | str, batch_size: int = 64, second: Mapping[str, float] | None = None,
                 **_: object) -> None:
        """``second``: a preset's ``below``/``unit``/``context`` for the ensemble's second member,
        over the model config's ``second_below``/``second_unit``/``second_context``
        (``pipeline.model.members``)."""
        from confection import Config

        from pipeline.model import lstm_tagger

        path = Path(model_dir)
        if not (path / "config.cfg").exists():
            raise BackendUnavailable(f"{printable(path)}: no trained model here (run `pinghu-ner train`)")
        self.batch_size = batch_size
        # The shipped model is one component, the BiLSTM, over spaCy's one-token-per-character
        # Chinese tokenizer: its spans are read from the tagger directly, as the component would
        # set them (``_direct``), without spaCy.  Building a Doc per piece cost a sixth of the
        # tagger's time, and importing and loading spaCy a third of a second per process; neither
        # carries anything the recogniser reads.  Any other pipeline runs through spaCy.
        try:
            model_config = Config().from_disk(path / "config.cfg", interpolate=False)
            nlp_config = model_config["nlp"]
        except KeyError:
            raise ModelFileError(path / "config.cfg", "no [nlp] section") from None
        except Exception as exc:  # confection's parse errors (their cause on the lines after a banner), bad bytes
            lines = [x.strip() for x in str(exc).splitlines()]
            detail = "; ".join(x for x in lines if x and x != "Config validation error"
                               and not x.startswith("Make sure"))[:200] or type(exc).__name__
            raise ModelFileError(path / "config.cfg", f"not a model config ({detail})") from None
        self.nlp = None
        self.direct = None
        if nlp_config.get("pipeline") == [lstm_tagger.FACTORY]:
            component = model_config.get("components", {}).get(lstm_tagger.FACTORY, {})
            reads = {k: component.get(f"second_{k}") for k in ("below", "unit", "context")}
            self.direct = load_tagger(path / lstm_tagger.FACTORY, {**reads, **(second or {})})
        else:
            import spacy

            from pipeline.model import lstm_component  # noqa: F401  registers the BiLSTM's factory
            if LEGACY_CNN_LAYER in (path / "config.cfg").read_text(encoding="utf-8"):
                from pipeline.model import architectures  # noqa: F401  the legacy CNN model's layers, only for it
            try:
                self.nlp = spacy.load(path)
            except Exception as exc:  # any file of a spaCy pipeline directory
                raise ModelFileError(path, f"spaCy cannot load this model ({_first_line(exc)})") from None

    def _direct(self, texts: Sequence[str]) -> list[Reading]:
        """The BiLSTM's readings with the span edges the component gets from ``Doc.char_span(...,
        alignment_mode="contract")``: whitespace at a span's edge is no token and is left out."""
        from pipeline.model.lstm_tagger import Reading

        out = []
        found = self.direct.read(texts)  # type: ignore[union-attr]  # in the tagger's own windows (READ_WINDOW)
        for text, reading in zip(texts, found):
            kept = []
            for s, e, label, conf in reading.spans:
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if s < e:
                    kept.append((s, e, label, conf))
            out.append(Reading(kept, reading.confidence))
        return out

    def _through_spacy(self, texts: Sequence[str]) -> list[Reading]:
        from pipeline.model.lstm_tagger import Reading

        out = []
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size):  # type: ignore[union-attr]
            # The tagger's per-span confidence where the model gives one (the BiLSTM does), else 1.
            confidence = doc.user_data.get("ent_confidence") or [1.0] * len(doc.ents)
            spans = [(ent.start_char, ent.end_char, ent.label_, conf) for ent, conf in zip(doc.ents, confidence)]
            out.append(Reading(spans, np.ones(len(doc.text), dtype=np.float32)))  # spaCy gives no per-character confidence
        return out

    def _read_pieces(self, texts: Sequence[str]) -> tuple[list[list[Piece]], list[Reading], list[list[Span]]]:
        """Each text's pieces (``chunks``), the tagger's reading of every piece, and each text's
        spans from its pieces (``join_pieces``)."""
        read = self._direct if self.direct is not None else self._through_spacy
        per_text = [chunks(t, limit=PIECE_LIMIT) for t in texts]
        pieces = [p for ps in per_text for p in ps]
        readings = read([p.text for p in pieces])
        found = [[Span(piece.offset + s, piece.offset + e, label, self.name, conf) for s, e, label, conf in r.spans]
                 for piece, r in zip(pieces, readings)]
        return per_text, readings, join_pieces(per_text, found)

    def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return self._read_pieces(texts)[2]

    def spans_with_confidence(self, texts: Sequence[str]) -> tuple[list[list[Span]], list[np.ndarray] | None]:
        """Each text's spans, and per character how sure the tagger is of its tag (the probability
        of its best tag); None for a model run through spaCy, which does not say (a gate then
        consults the other source everywhere)."""
        per_text, readings, spans = self._read_pieces(texts)
        if self.direct is None:
            return spans, None
        confidences = []
        k = 0
        for text, ps in zip(texts, per_text):
            sure = np.ones(len(text), dtype=np.float32)
            for piece, r in zip(ps, readings[k : k + len(ps)]):
                view = sure[piece.offset : piece.offset + len(piece.text)]
                np.minimum(view, r.confidence, out=view)  # pieces overlap only around a blind cut
            confidences.append(sure)
            k += len(ps)
        return spans, confidences
