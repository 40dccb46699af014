"""The agency-shape and country-pair finders are recognise passes (issue 30).

Why: they find names no tagger found, which is recognition; done in the link step they were
invisible to the recognise ablation and could not be switched off.  As passes they are declared
in ``recognize.cfg`` for every backend, run after the roles, and ``--disable`` removes them.
"""

from __future__ import annotations

import pytest

from pipeline.recognize import PASSES, Plan, RecognitionDoc, load_config, preset_names
from pipeline.recognize.agencies import agency_shapes
from pipeline.recognize.country_pairs import country_pairs
from pipeline.records import Span


def _doc(text: str, *spans: Span) -> RecognitionDoc:
    return RecognitionDoc(text=text, spans=list(spans))


def test_both_passes_are_registered_and_in_every_preset() -> None:
    assert {"agency_shapes", "country_pairs"} <= set(PASSES)
    for preset in preset_names():
        passes = load_config(preset).passes
        assert list(passes[-2:]) == ["agency_shapes", "country_pairs"], preset


def test_a_disabled_pass_is_left_out_of_the_plan() -> None:
    passes = load_config("combined").passes
    names = [p.name for p in Plan.build(passes, ("agency_shapes",)).passes]
    assert "agency_shapes" not in names and "country_pairs" in names


def test_agency_shapes_adds_bare_agency_names_but_not_inside_titles() -> None:
    doc = _doc("会上，县政府主要负责人讲话。县委书记张三出席。")
    agency_shapes(doc, None)
    found = [(doc.text[s.start:s.end], s.label, s.source) for s in doc.spans]
    assert found == [("县政府", "ORG", "agency-shape")]  # 县委 inside 县委书记 is a title's part


def test_agency_shapes_leaves_what_a_tagger_found() -> None:
    taken = Span(3, 6, "ORG", "spacy")
    doc = _doc("会上，县政府主要负责人讲话。", taken)
    agency_shapes(doc, None)
    assert doc.spans == [taken]


def test_country_pairs_one_place_per_character_in_order() -> None:
    kept = Span(0, 2, "PLACE", "spacy")
    doc = _doc("北京中美双方举行磋商，中俄关系", kept)
    country_pairs(doc, None)
    got = [(doc.text[s.start:s.end], s.source) for s in doc.spans]
    assert got == [("北京", "spacy"), ("中", "country-pair"), ("美", "country-pair"),
                   ("中", "country-pair"), ("俄", "country-pair")]
    assert [s.start for s in doc.spans] == sorted(s.start for s in doc.spans)


@pytest.mark.parametrize("text", ["中美", "美中不足", "中方表示"])
def test_country_pairs_need_a_bilateral_noun(text: str) -> None:
    doc = _doc(text)
    country_pairs(doc, None)
    assert doc.spans == []


def test_agency_shapes_reads_a_level_s_public_institutions() -> None:
    doc = RecognitionDoc(text="市文化馆和市中医院联合举办活动，县人民医院院长出席，省级乡村博物馆开放。")
    agency_shapes(doc, None)
    assert [doc.text[s.start : s.end] for s in doc.spans] == ["市文化馆", "市中医院"]  # not 省级…, not a title
