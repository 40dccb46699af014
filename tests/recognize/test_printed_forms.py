"""Issue 31: persons and one-character places as the paper prints them.

Why: 王先生 read as a person named 王 tells an analyst nothing, and 美 in 和美乡村 read as the
United States is noise.  Each test below fails when its pass is taken out of the plan or its rule
is broken (they call the passes directly, and check the config lists them after the vote).
"""

from __future__ import annotations

from pipeline.recognize import load_config
from pipeline.recognize.config import VOTE_PASSES
from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.printed_persons import honorific_persons, person_prefixes
from pipeline.recognize.short_forms import short_form_lists_pass, short_form_places
from pipeline.records import Span

NEW = ("honorific_persons", "person_prefixes", "short_form_places", "short_form_lists")


def _run(func, text: str, *spans: tuple[int, int, str]) -> list[tuple[str, str]]:  # noqa: ANN001
    doc = RecognitionDoc(text=text, spans=[Span(a, b, label, "spacy") for a, b, label in spans])
    func(doc, None)
    return [(doc.text[s.start : s.end], s.label) for s in doc.spans]


def test_the_passes_run_after_the_vote_and_before_propagation() -> None:
    """All four in the default (issue 31); ``combined-strict`` switches the three printed-form
    passes off, for the corpora's own conventions (recognize.cfg says the measurement)."""
    for preset in ("combined", "model-gazetteer", "combined-hand"):
        names = list(load_config(preset).passes)
        vote = max(i for i, n in enumerate(names) if n in VOTE_PASSES)
        at = [names.index(n) for n in NEW]
        assert all(i > vote for i in at) and max(at) < names.index("propagate_people"), preset
    strict = load_config("combined-strict")
    assert {"honorific_persons", "short_form_places", "short_form_lists"} <= set(strict.disable)
    assert "person_prefixes" not in strict.disable


def test_surname_and_honorific_is_one_person_not_a_surname() -> None:
    text = "游客王先生说，李女士和张某某也来了。"
    got = _run(honorific_persons, text, (2, 3, "PERSON"), (7, 8, "PERSON"))
    assert got == [("王先生", "PERSON"), ("李女士", "PERSON"), ("张某某", "PERSON")]


def test_familiar_forms_and_elders_are_whole_persons() -> None:
    got = _run(honorific_persons, "老王说，董老伯和陈阿姨都来了。", (1, 2, "PERSON"))
    assert got == [("老王", "PERSON"), ("董老伯", "PERSON"), ("陈阿姨", "PERSON")]


def test_words_that_only_look_like_honorific_persons_are_left_alone() -> None:
    assert _run(honorific_persons, "于某种程度上，小高层住宅多了。") == []
    # a company named after a person keeps its name
    text = "王先生食品有限公司开业。"
    assert _run(honorific_persons, text, (0, 9, "ORG")) == [("王先生食品有限公司", "ORG")]


def test_occupation_is_cut_off_the_name() -> None:
    got = _run(person_prefixes, "瓜农鲍强和村民姚菊芳说。", (0, 4, "PERSON"), (5, 10, "PERSON"))
    assert got == [("鲍强", "PERSON"), ("姚菊芳", "PERSON")]


def test_a_heading_phrase_is_no_person_but_a_heading_name_is() -> None:
    assert _run(person_prefixes, "赏樱\n春日里，游人如织。", (0, 2, "PERSON")) == []
    assert _run(person_prefixes, "王强\n春日里。", (0, 2, "PERSON")) == [("王强", "PERSON")]


def test_one_character_places_inside_words_are_dropped() -> None:
    text = "全域建设和美乡村，要环境美。华为来了。当日最高气温高，的沪籍人员多。"
    singles = [(i, i + 1, "PLACE") for i, ch in enumerate(text) if ch in "美华日沪"]
    assert _run(short_form_places, text, *singles) == []


def test_a_verb_before_a_form_that_starts_another_word_keeps_no_place() -> None:
    """在华为: the verb rule (在沪, 访华) kept 华 of the brand; a word that starts there and
    goes on with a place form still names places (对中俄关系, 回陕北, 在中方)."""
    text = "记者在华为看到，在华为工作。对中俄关系，回陕北，在中方建议下。"
    singles = [(i, i + 1, "PLACE") for i, ch in enumerate(text) if ch in "华中俄陕"]
    got = [s for s, _ in _run(short_form_places, text, *singles)]
    assert got == ["中", "俄", "陕", "中"]


def test_one_character_places_standing_as_words_are_kept() -> None:
    text = "组团赴沪，面对中美经贸，美方表示，访华期间，畅销沪杭。"
    singles = [(i, i + 1, "PLACE") for i, ch in enumerate(text) if ch in "沪中美华杭"]
    got = [s for s, _ in _run(short_form_places, text, *singles)]
    assert got == ["沪", "中", "美", "美", "华", "沪", "杭"]


def test_one_character_place_inside_another_name_is_dropped() -> None:
    assert _run(short_form_places, "中美洲国家", (0, 1, "PLACE"), (0, 3, "PLACE")) == [("中美洲", "PLACE")]


def test_lists_of_province_forms_are_added_one_place_each() -> None:
    assert _run(short_form_lists_pass, "广陈西瓜畅销沪杭等地，沪浙五镇携手。") == [
        ("沪", "PLACE"), ("杭", "PLACE"), ("沪", "PLACE"), ("浙", "PLACE")]
    # everyday words made of forms are no list: 中华, 平台; country pairs are another pass's
    assert _run(short_form_lists_pass, "中华优秀传统文化平台，中美经贸。") == []
