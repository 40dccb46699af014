"""Fuzzing ingest → segment → recognise: only InputError may escape, and offsets stay valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.recognize import RecognizeStage, create
from pipeline.recognize.titles import TitleRules
from pipeline.settings import DEFAULT_GAZETTEER, Settings

PIECES = [
    "## ", "### ", "■记者 ", "本报讯 ", "3月24日", "市委书记", "副市长", "平湖", "钟埭街道", "市发改局",
    "、", "，", ",", "。", "(", ")", "（", "）", "\n", "\n\n", " ", "|", "---", "![](a.png)", "<br>",
    "**", "接第1版", "转第2版", "简讯", "●", "王", "李", "张", "明", "华", "的", "在", "召开", "会议",
    "\x07", "\ufeff", "𠀀", "é", "1", "２", "Ａ",
]
page_text = st.lists(st.sampled_from(PIECES) | st.text(min_size=1, max_size=5), min_size=1, max_size=60).map("".join)


def _stage() -> RecognizeStage:
    sources = [create("lac"), create("gazetteer", gazetteer_dir=DEFAULT_GAZETTEER)]
    return RecognizeStage(Settings(backend="lac"), sources=sources)


STAGE = None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=page_text, encoding=st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))
def test_no_exception_but_input_error_and_offsets_valid(tmp_path: Path, text: str, encoding: str) -> None:
    from pipeline.ingest.read import read_source
    from pipeline.runner import Pipeline

    global STAGE
    STAGE = STAGE or _stage()
    path = tmp_path / "2023-03-24_p1.md"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        doc = read_source(path, issue_date=dt.date(2023, 3, 24))
        # The real page-by-page segment step, without loading any model.
        articles = [a for page in Pipeline.segment_pages(_FakePipe(), doc) for a in page]
    except InputError:
        return
    mentions = STAGE.process(articles)
    by_id = {a.article_id: a for a in articles}
    for m in mentions:
        art = by_id[m.article_id]
        assert 0 <= m.start < m.end <= len(art.text)
        assert art.text[m.start : m.end] == m.surface
        assert 0 <= m.source_start < m.source_end <= len(doc.text)
    for a in articles:
        assert all(0 <= o < len(doc.text) for o in a.mapped.origin)


class _FakePipe:
    """Just what Pipeline.segment reads: a segmenter and settings."""

    def __init__(self) -> None:
        from pipeline.segment import Segmenter

        self.segmenter = Segmenter()
        self.settings = Settings()


def test_title_rules_survive_any_text() -> None:
    rules = TitleRules()

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=200))
    def check(text: str) -> None:
        for s in rules.find(text):
            assert 0 <= s.start < s.end <= len(text)

    check()
