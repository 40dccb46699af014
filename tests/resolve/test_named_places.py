"""Named places and offices: the gazetteer's regions (长三角, 浙北: areas.csv, kind region) are PLACE
mentions even where the vote dropped the ruler's candidate (issue 32); one-character forms and
autonomous regions link to their division; offices keep 代 / 挂职 and a committee's department
(issue 31)."""

from __future__ import annotations

from types import SimpleNamespace

from pipeline.recognize.document import RecognitionDoc
from pipeline.recognize.ruler import GazetteerRuler
from pipeline.recognize.trims import region_names_pass
from pipeline.records import Span
from pipeline.settings import Settings


def test_regions_the_vote_dropped_come_back() -> None:
    ruler = GazetteerRuler(gazetteer_dir=Settings().gazetteer_dir)
    assert {"长三角", "浙北", "长江三角洲"} <= ruler.regions and "新埭镇" not in ruler.regions
    text = "融入长三角一体化，打造浙北重要节点，新埭镇"
    doc = RecognitionDoc(text=text, spans=[Span(text.index("新埭镇"), len(text), "PLACE", "spacy")])
    doc.candidates = {"gazetteer": ruler.find(text)}
    region_names_pass(doc, SimpleNamespace(sources=[ruler]))
    assert [(text[s.start : s.end], s.label) for s in doc.spans] == [
        ("长三角", "PLACE"), ("浙北", "PLACE"), ("新埭镇", "PLACE")]


def test_resolver_links_a_region(resolver) -> None:  # noqa: ANN001 - conftest fixture
    link = resolver.resolve("PLACE", "长三角")
    assert link.entity_id == "area:yangtze-river-delta" and link.canonical == "长江三角洲"


def test_one_character_forms_link_to_their_division_or_country(resolver) -> None:  # noqa: ANN001
    got = {s: resolver.resolve("PLACE", s).canonical for s in ("沪", "浙", "杭", "平", "美")}
    assert got == {"沪": "上海市", "浙": "浙江省", "杭": "杭州市", "平": "平湖市", "美": "美国"}


def test_autonomous_region_short_names(resolver) -> None:  # noqa: ANN001
    assert resolver.resolve("PLACE", "新疆").canonical == "新疆维吾尔自治区"
    assert resolver.resolve("PLACE", "内蒙古").canonical == "内蒙古自治区"


def test_offices_keep_how_a_post_is_held_and_whose_department(resolver) -> None:  # noqa: ANN001
    from pipeline.resolve import parse_offices

    acting = parse_offices("市委副书记、代市长", resolver)
    assert [o.office for o in acting] == ["副书记", "代市长"]
    assert acting[1].org_name == "平湖市人民政府"
    dept = parse_offices("市委常委、宣传部部长", resolver)
    assert dept[1].org_name == "中共平湖市委宣传部"
    seconded = parse_offices("新埭镇挂职副镇长", resolver)
    assert seconded[0].office == "挂职副镇长" and seconded[0].org_name == "新埭镇人民政府"
