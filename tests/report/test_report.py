"""Tests of pipeline.report on the synthetic two-issue outputs of test_tables.build_outputs."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pandas as pd
from rich.console import Console

from pipeline import report as R
from pipeline.store import load


def _console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=140, force_terminal=False, color_system=None), buf


def test_report_tables_and_console(outputs: Path) -> None:
    console, buf = _console()
    data = R.report(outputs, console=console)
    text = buf.getvalue()
    for title in ("Top officials by appearances", "page-1", "Places by coverage", "Agencies", "same article"):
        assert title in text
    assert "张三" in text and "市委书记" in text and "330482001" in text

    off = data["officials"]
    assert off.iloc[0].to_dict() == {"person_id": "person:张三", "name": "张三", "role": "市委书记", "articles": 4}
    assert off.set_index("name").loc["李四", "articles"] == 2
    assert "王五" not in set(off.name)  # a reporter's byline is not an official's appearance
    p1 = data["officials_page1"].set_index("name")["articles"].to_dict()
    assert p1 == {"张三": 4, "李四": 2}

    places = data["places"].set_index("name")
    assert places.loc["新埭镇", "articles"] == 4 and places.loc["当湖街道", "articles"] == 2
    assert places.loc["当湖街道", "division_code"] == "330482001"
    assert data["places"].iloc[0]["name"] == "新埭镇"
    assert data["agencies"].iloc[0]["name"] == "平湖市发展和改革局"

    co = data["cooccurrence"].set_index(["official", "agency"])["articles"].to_dict()  # 某合作社 is NIL: left out
    assert co == {("张三", "平湖市发展和改革局"): 2}
    tl = data["timeline"]
    assert list(tl.columns) == ["张三", "李四"] and tl["张三"].tolist() == [2, 2]
    assert set(data["towns"]["name"]) == {"新埭镇", "当湖街道"}


def test_report_html_is_self_contained(outputs: Path, tmp_path: Path) -> None:
    console, buf = _console()
    html = tmp_path / "rep" / "report.html"
    R.report(outputs, html=html, console=console)
    doc = html.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and "张三" in doc
    assert not re.search(r"<script[^>]+src=", doc) and not re.search(r"<link[^>]+href=", doc)  # nothing fetched
    style = re.search(r"<style>(.*?)</style>", doc, re.S).group(1)
    assert "url(" in style and not re.search(r"url\((?!data:)", style)  # the font is embedded
    assert "Plotly" in doc and "@font-face" in doc
    assert str(html) in buf.getvalue()
    data = json.loads(re.search(r"<script id='report-data' type='application/json'>(.*?)</script>", doc, re.S).group(1))
    assert len(data["articles"]) == 6 and {a["page"] for a in data["articles"]} == {1, 2}
    assert [name for _, name, kind, _ in data["localities"] if kind == "town"] == ["当湖街道", "新埭镇"]
    person = [m for m in data["mentions"] if m[3] == "PERSON" and m[6]]
    assert person and all(m[5].startswith("person:") for m in person)


def test_article_text_cannot_end_the_data_script(outputs: Path) -> None:
    from pipeline.report.html import render

    t = load(outputs)
    t.articles.loc[0, "text"] = "正文</script><script>alert(1)</script><!--"
    doc = render(t, "x")
    data = re.search(r"<script id='report-data' type='application/json'>(.*?)</script>", doc, re.S).group(1)
    assert json.loads(data)["articles"][0]["text"].startswith("正文</script>")


def test_filters(outputs: Path) -> None:
    t = load(outputs)
    page2 = R.apply_filters(t, R.Filters(pages=(2,)))
    assert set(page2.articles.page) == {2} and set(page2.mentions.page) == {2}
    assert R.top_officials(page2).empty  # nobody official on page 2
    later = R.apply_filters(t, R.Filters(date_from=dt.date(2024, 3, 2)))
    assert set(later.articles.issue_date.dt.date) == {dt.date(2024, 3, 2)}
    assert R.top_officials(later).set_index("name")["articles"].to_dict() == {"张三": 2, "李四": 1}
    danghu = R.apply_filters(t, R.Filters(locality="当湖街道"))
    assert len(danghu.articles) == 2 and R.place_coverage(danghu).iloc[0]["name"] == "当湖街道"
    by_id = R.apply_filters(t, R.Filters(locality="gz:town:danghu"))
    assert list(by_id.articles.article_id) == list(danghu.articles.article_id)
    # a locality column, where the pipeline writes one, is used instead of the places named
    t.articles["locality"] = ["gz:town:xindai"] * len(t.articles)
    assert len(R.apply_filters(t, R.Filters(locality="gz:town:xindai")).articles) == len(t.articles)


def test_people_are_counted_by_person_id_not_name(outputs: Path) -> None:
    t = load(outputs)
    p = t.people
    namesake = (p.name == "李四") & (p.issue_date.dt.date == dt.date(2024, 3, 2))
    p.loc[namesake, "person_id"] = "person:another-李四"
    top = R.top_officials(t)
    assert sorted(top[top.name == "李四"]["articles"]) == [1, 1]
    tl = R.timeline(t, top=5)
    assert len(set(tl.columns)) == len(tl.columns) == 3  # two 李四, each drawn once, apart
    assert {"李四 (person:李四)", "李四 (person:another-李四)"} <= set(tl.columns)


def test_nil_entities_stay_out_of_coverage(outputs: Path) -> None:
    t = load(outputs)
    assert "某合作社" not in set(R.agencies(t).name)
    assert "某合作社" in set(R.agencies(t, include_nil=True).name)


def test_report_on_empty_outputs(tmp_path: Path) -> None:
    console, buf = _console()
    data = R.report(tmp_path / "empty", html=tmp_path / "e.html", console=console)
    assert all(isinstance(v, pd.DataFrame) and v.empty for v in data.values())
    assert "no articles yet" in buf.getvalue()
    assert "<article" not in (tmp_path / "e.html").read_text(encoding="utf-8")


def test_cooccurrence_counts_articles_not_mentions(outputs: Path) -> None:
    t = load(outputs)
    co = R.cooccurrence(t)
    assert (co["articles"] <= t.articles.article_id.nunique()).all()
    assert list(co.columns) == ["person_id", "official", "agency_id", "agency", "articles"]


def test_plot_style_is_scoped() -> None:
    import matplotlib

    before = matplotlib.rcParams["font.family"]
    with R.plot_style():
        pass
    assert matplotlib.rcParams["font.family"] == before
    assert R.cjk_font() == "Noto Sans SC"


def test_locality_filter_reads_the_articles_own_locality() -> None:
    """An article about another city (elsewhere:<code>) is in that city even if it names no place."""
    import pandas as pd

    from pipeline.store import Tables

    articles = pd.DataFrame({"article_id": ["a1", "a2"], "locality": ["elsewhere:330100", "local"],
                             "issue_date": pd.to_datetime(["2024-03-01"] * 2), "page": [1, 1]})
    mentions = pd.DataFrame({"article_id": pd.Series([], dtype=str), "type": pd.Series([], dtype=str),
                             "entity_id": pd.Series([], dtype=str), "canonical": pd.Series([], dtype=str)})
    entities = pd.DataFrame({"entity_id": ["div:330100"], "canonical": ["杭州市"], "parent_id": ["div:33"]})
    people = pd.DataFrame({"article_id": pd.Series([], dtype=str)})
    t = Tables(articles, mentions, entities, people, pd.DataFrame())
    for loc in ("div:330100", "杭州市"):
        assert list(R.apply_filters(t, R.Filters(locality=loc)).articles.article_id) == ["a1"]
    assert list(R.apply_filters(t, R.Filters(locality="local")).articles.article_id) == ["a2"]


def test_offices_held_lists_people_of_the_filtered_articles(outputs: Path) -> None:
    from dataclasses import replace

    t = load(outputs)
    offices = pd.DataFrame({
        "person_id": ["person:张三", "person:赵六"], "name": ["张三", "赵六"], "office": ["书记", "局长"],
        "org_name": ["中共平湖市委员会", "某局"], "first_seen": pd.to_datetime(["2024-03-01", "2024-01-01"]),
        "last_seen": pd.to_datetime(["2024-03-02", "2024-01-05"]), "article_count": [4, 9],
    })
    held = R.offices_held(replace(t, offices=offices))
    # 赵六 holds an office but appears in none of these articles: not listed
    assert held.to_dict("records") == [{"person_id": "person:张三", "name": "张三", "office": "书记",
                                        "org_name": "中共平湖市委员会", "first_seen": dt.date(2024, 3, 1),
                                        "last_seen": dt.date(2024, 3, 2), "article_count": 4}]
    assert R.offices_held(t).empty  # no offices written: an empty table with the columns
    assert list(R.offices_held(t).columns) == list(held.columns)
