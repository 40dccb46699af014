"""The learned vote: a registered pass, its features, its shipped artefact, its preset end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.recognize import PASSES, load_config
from pipeline.recognize.learned import (
    ARTEFACT,
    FEATURES,
    Candidate,
    LearnedCombiner,
    candidates_of,
    features,
    resolve,
)
from pipeline.recognize.registry import Plan
from pipeline.records import Span
from pipeline.settings import DEFAULT_MODEL, Settings

TEXT = "张三在新埭镇工作，张三说好。"
PROPOSALS = {
    "spacy": [Span(0, 2, "PERSON", "spacy", 0.9), Span(3, 6, "PLACE", "spacy", 0.8)],
    "lac": [Span(0, 2, "PERSON", "lac"), Span(3, 6, "ORG", "lac"), Span(9, 11, "PERSON", "lac")],
    "gazetteer": [Span(3, 6, "PLACE", "gazetteer")],
}


def _row(cands: list[Candidate], x: np.ndarray, start: int, end: int, label: str) -> dict[str, float]:
    i = next(k for k, c in enumerate(cands) if (c.start, c.end, c.label) == (start, end, label))
    return dict(zip(FEATURES, x[i].tolist()))


def test_learned_vote_is_registered_like_the_vote() -> None:
    spec = PASSES["learned_vote"]
    assert spec.requires == PASSES["vote"].requires == frozenset({"candidates"})
    assert spec.provides == PASSES["vote"].provides == frozenset({"spans"})
    learned, hand = load_config("combined"), load_config("combined-hand")
    assert learned.sources == hand.sources
    assert [("vote" if p == "learned_vote" else p) for p in learned.passes] == list(hand.passes)
    assert Plan.build(learned.passes).names == learned.passes


def test_features_of_a_tiny_example() -> None:
    cands, x = features(TEXT, PROPOSALS)
    assert x.shape == (len(cands), len(FEATURES)) == (4, len(FEATURES))
    place = _row(cands, x, 3, 6, "PLACE")
    assert place["spacy:exact"] == 1 and place["spacy:score"] == pytest.approx(0.8)
    assert place["gazetteer:exact"] == 1 and place["lac:exact"] == 0
    assert place["lac:other_label"] == 1  # LAC read the same span as an ORG
    assert place["n_agree"] == pytest.approx(2 / 3) and place["n_span"] == pytest.approx(1.0)
    assert place["end_settlement"] == 1 and place["end_admin"] == 1 and place["len_3_3"] == 1
    assert place["PLACE*gazetteer:exact"] == 1 and place["ORG*gazetteer:exact"] == 0
    person = _row(cands, x, 0, 2, "PERSON")
    assert person["surname_first"] == 1 and person["surface_repeated"] == 1 and person["proposed_elsewhere"] == 1
    assert person["PERSON*one"] == 1 and person["PLACE*one"] == 0
    org = _row(cands, x, 3, 6, "ORG")
    assert org["lac:exact"] == 1 and org["spacy:other_label"] == 1 and org["gazetteer:other_label"] == 1


def test_candidates_merge_sources_and_keep_the_best_score() -> None:
    merged = candidates_of(PROPOSALS)
    person = next(c for c in merged if (c.start, c.end, c.label) == (0, 2, "PERSON"))
    assert person.sources == frozenset({"spacy", "lac"}) and person.score == 1.0


def test_overlaps_are_resolved_by_probability() -> None:
    cands = [Candidate(3, 6, "PLACE", frozenset({"spacy"}), 1.0), Candidate(3, 6, "ORG", frozenset({"lac"}), 1.0),
             Candidate(0, 2, "PERSON", frozenset({"lac"}), 1.0)]
    kept = resolve(cands, np.array([0.7, 0.9, 0.3]), threshold=0.5)
    assert [(s.start, s.end, s.label) for s in kept] == [(3, 6, "ORG")]
    assert kept[0].provenance == frozenset({"lac"}) and kept[0].score == pytest.approx(0.9)


def test_shipped_artefact_loads_and_gives_probabilities() -> None:
    raw = json.loads((DEFAULT_MODEL / ARTEFACT).read_text(encoding="utf-8"))
    model = LearnedCombiner.from_dict(raw)
    assert 0.0 < model.threshold < 1.0
    assert raw["training"]["msra_dev_sentences"] > 0 and raw["training"]["cluener_heldout_sentences"] > 0
    _, x = features(TEXT, PROPOSALS)
    p = model.probabilities(x)
    assert p.shape == (len(x),) and np.all((p >= 0) & (p <= 1))
    # Two sources and the gazetteer agreeing on a place is surer than LAC alone on a type they dispute.
    cands, _ = features(TEXT, PROPOSALS)
    by = {(c.start, c.end, c.label): float(q) for c, q in zip(cands, p)}
    assert by[(3, 6, "PLACE")] > by[(3, 6, "ORG")]
    assert (DEFAULT_MODEL / ARTEFACT).stat().st_size < 200_000


def test_an_artefact_for_other_features_is_refused() -> None:
    raw = json.loads((DEFAULT_MODEL / ARTEFACT).read_text(encoding="utf-8"))
    raw["features"] = raw["features"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        LearnedCombiner.from_dict(raw)


def test_the_preset_runs_end_to_end_on_one_sentence() -> None:
    from pipeline.recognize import RecognizeStage

    stage = RecognizeStage(Settings(backend="combined"))
    assert stage.ctx.learned is not None
    text = "国务院总理李强昨天在北京会见了美国客人。"
    spans = stage.spans([text])[0]
    found = {(text[s.start : s.end], s.label) for s in spans}
    assert ("李强", "PERSON") in found and ("北京", "PLACE") in found
    assert all(0.0 <= s.score <= 1.0 for s in spans)


def test_training_fits_and_scores_on_a_toy_set() -> None:
    pytest.importorskip("sklearn")
    from pipeline.training.learned_combiner import Sentence, _fit, micro_f1

    cands, x = features(TEXT, PROPOSALS)
    gold = {(0, 2, "PERSON"), (3, 6, "PLACE"), (9, 11, "PERSON")}
    y = np.array([(c.start, c.end, c.label) in gold for c in cands], dtype=np.int8)
    s = Sentence("toy", cands, x, y, gold, [])
    mean, scale, model = _fit(np.vstack([s.x] * 5), np.concatenate([s.y] * 5), np.ones(5 * len(y)), 1.0)
    p = model.predict_proba((x - mean) / scale)[:, 1]  # type: ignore[attr-defined]
    kept = [(k.start, k.end, k.label) for k in resolve(cands, p, 0.5)]
    assert micro_f1([kept], [gold]) == 1.0
    assert micro_f1([[]], [gold]) == 0.0


def test_gazetteer_copies_swap_places_and_orgs_for_gazetteer_names_of_the_same_type() -> None:
    """The combiner's third training set: corpus sentences whose PLACE/ORG names are replaced by
    what the active gazetteer's ruler knows, so that a gazetteer hit is seen where taggers miss."""
    from pipeline.gazetteers.gazetteer import load_gazetteer
    from pipeline.recognize.ruler import GazetteerRuler
    from pipeline.training.corpora import Example
    from pipeline.training.learned_combiner import gazetteer_copies

    settings = Settings()
    ex = Example("张三在北京市会见中国银行代表。", ((0, 2, "PERSON"), (3, 6, "PLACE"), (8, 12, "ORG")), "msra")
    copies = gazetteer_copies(settings, [ex] * 20)
    assert copies, "some copies must differ from the sentence"
    ruler = GazetteerRuler(load_gazetteer(settings.gazetteer_dir).names_for_ruler())
    for c in copies:
        assert c.text[:3] == "张三在" and c.text.endswith("代表。")
        person, place, org = c.spans
        assert c.text[person[0] : person[1]] == "张三"
        for s, e, label in (place, org):
            surface = c.text[s:e]
            assert surface in {"北京市", "中国银行"} or ruler.label_of.get(surface) == label
    assert any(c.text[c.spans[1][0] : c.spans[1][1]] != "北京市" for c in copies)


def test_threshold_choice_takes_the_surest_of_the_indistinguishable() -> None:
    """C and threshold from the cross-validated table: within TIE of the best mean, the highest
    threshold; a clearly worse higher threshold is not taken."""
    from pipeline.training.learned_combiner import TIE, choose

    def row(m: float) -> dict[str, float]:
        return {"msra_dev": m, "cluener_heldout": m, "mean": m}

    cv = {"0.1": {"0.3": row(0.80), "0.35": row(0.84), "0.4": row(0.84 - TIE / 2), "0.45": row(0.83)},
          "1.0": {"0.3": row(0.80), "0.35": row(0.83), "0.4": row(0.8390), "0.45": row(0.82)}}
    assert choose(cv) == ("0.1", "0.4")
    cv["1.0"]["0.4"] = row(0.8399)
    assert choose(cv) == ("1.0", "0.4")


def test_overlap_and_containment_indexes_agree_with_a_plain_scan() -> None:
    """The bisection indexes (a long line must not be quadratic) find what a full scan finds."""
    import random

    from pipeline.recognize.learned import _Containment, _repeated, _SourceIndex

    rng = random.Random(3)
    for _ in range(200):
        spans = []
        for _ in range(rng.randint(0, 12)):
            a = rng.randint(0, 30)
            spans.append(Span(a, a + rng.randint(1, 6), rng.choice(["PERSON", "PLACE", "ORG"]), "lac"))
        index = _SourceIndex(spans)
        inside = _Containment([(s.start, s.end) for s in spans])
        for start in range(0, 32):
            for end in range(start + 1, start + 7):
                want = sorted((s.start, s.end, s.label) for s in spans if s.start < end and s.end > start)
                got = sorted((s.start, s.end, s.label) for s in index.overlapping(start, end))
                assert got == want
                longer = any(s.start <= start and end <= s.end and (s.start, s.end) != (start, end) for s in spans)
                assert inside.inside_another(start, end) == longer
    assert _repeated("平湖平湖", "平湖", 0) and _repeated("平湖平湖", "平湖", 2) and not _repeated("去平湖", "平湖", 1)


def test_features_of_a_very_long_line_are_linear_enough() -> None:
    """50,000 repeats of one place name: every candidate sees only its neighbours (a scan over
    all proposals per candidate took hours here, so a quadratic regression hangs this test)."""
    text = "平湖" * 50_000
    props = {"gazetteer": [Span(i, i + 2, "PLACE", "gazetteer") for i in range(0, len(text), 2)],
             "lac": [Span(0, len(text), "ORG", "lac")]}
    cands, x = features(text, props, local=frozenset({"平湖"}))
    assert len(cands) == 50_001 and x.shape[0] == 50_001
    row = _row(cands, x, 2, 4, "PLACE")
    assert row["gazetteer:exact"] == 1 and row["lac:contains"] == 1 and row["gazetteer_local"] == 0


def test_every_learned_preset_ships_its_own_artefact_for_its_sources() -> None:
    """A preset with the learned vote reads ``artefact_name(preset)``, trained on that preset's
    sources (``--preset``): model-gazetteer's vote never saw LAC, the default's did.  A preset
    with ``vote_from`` (the ungated default) reads that preset's artefact and has its sources."""
    from pipeline.recognize import RecognizeStage
    from pipeline.recognize.config import preset_names
    from pipeline.recognize.learned import artefact_name

    learned = [p for p in preset_names() if "learned_vote" in load_config(p).passes]
    assert "combined" in learned and "model-gazetteer" in learned
    assert artefact_name("combined") == ARTEFACT
    for preset in learned:
        cfg = load_config(preset)
        raw = json.loads((DEFAULT_MODEL / artefact_name(cfg.learned_vote)).read_text(encoding="utf-8"))
        assert raw["training"].get("preset", "combined") == cfg.learned_vote
        assert cfg.sources == load_config(cfg.learned_vote).sources
        LearnedCombiner.from_dict(raw)  # same feature list as this code
    mg = RecognizeStage(Settings(backend="model-gazetteer"))
    assert [s.name for s in mg.sources] == ["spacy", "gazetteer"]
    raw = json.loads((DEFAULT_MODEL / artefact_name("model-gazetteer")).read_text(encoding="utf-8"))
    lac_columns = [i for i, f in enumerate(FEATURES) if f.split("*")[-1].startswith("lac:")]
    assert not any(raw["scale"][i] != 1.0 or raw["mean"][i] != 0.0 for i in lac_columns)  # LAC never proposed
    text = "国务院总理李强昨天在北京会见了美国客人。"
    found = {(text[s.start : s.end], s.label) for s in mg.spans([text])[0]}
    assert ("李强", "PERSON") in found and ("北京", "PLACE") in found
