"""One filter, one answer: the terminal report, the HTML page (read back in Chromium), the export,
the notebook's helpers and plain pandas count the same articles and mentions.

On a real run over a 15-issue archive (``archive_fixture``), for 18 filter combinations: dates,
pages, a locality given by entity id, by division code, by town, village or county name, and by
article class, and the bodies inside officials' titles left out (``--no-titles``).  The pandas side is written here from the Parquet files themselves
(``pd.read_parquet`` of the manifest's parts, the gazetteer's parents), not through
``pipeline.report``, so a rule the report gets wrong is not repeated in its own check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from archive_fixture import build_archive
from chromium_page import find_browser, rendered_many

from pipeline import report as R
from pipeline.cli.main import main
from pipeline.store import Store, load

# name: the command line's filter flags
COMBOS: dict[str, list[str]] = {
    "all": [],
    "town by name": ["--locality", "新埭镇"],
    "dates, page 1, town by name": ["--from", "2024-05-01", "--to", "2024-05-31", "--page", "1", "--locality", "新埭镇"],
    "local": ["--locality", "local"],
    "national": ["--locality", "national"],
    "foreign": ["--locality", "foreign"],
    "elsewhere": ["--locality", "elsewhere"],
    "town by id": ["--locality", "div:330482103"],
    "town by division code": ["--locality", "330482107"],
    "to the end of 2023": ["--to", "2023-12-31"],
    "pages 2 and 3": ["--page", "2", "--page", "3"],
    "from a date, town": ["--from", "2024-03-01", "--locality", "乍浦镇"],
    "county by name": ["--locality", "平湖市"],
    "village by name": ["--locality", "曹桥街道百寿村"],
    "a week, local, page 1": ["--from", "2023-04-12", "--to", "2023-04-15", "--page", "1", "--locality", "local"],
    "a known place in no article": ["--locality", "嘉兴市", "--to", "2023-01-01"],
    "bodies as actors only": ["--no-titles"],
    "local, bodies as actors only": ["--locality", "local", "--no-titles"],
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("archive"))


def _flag(args: list[str], name: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == name]


def _descendants(gaz: object, ids: set[str]) -> set[str]:
    out, grew = set(ids), True
    while grew:
        more = {g.entity_id for g in gaz.entries if g.parent_id in out} - out
        out |= more
        grew = bool(more)
    return out


def _in_locality(a: pd.DataFrame, m: pd.DataFrame, loc: str, gaz: object) -> pd.Series:
    """The rule, as the docs state it: an article class, or a place (and every place under it)
    that the article names or that its own locality is."""
    own = a["locality"].fillna("")
    if loc in ("local", "national"):
        return own == loc
    if loc in ("foreign", "elsewhere"):
        return own.str.startswith(loc + ":")
    code = loc.removeprefix("div:")
    ids = _descendants(gaz, {g.entity_id for g in gaz.entries if g.type == "PLACE" and loc in (
        g.entity_id, g.canonical, g.division_code if code.isdigit() else None)} | {loc})
    codes = {f"elsewhere:{g.division_code}" for g in gaz.entries if g.entity_id in ids and g.division_code}
    named = m.loc[(m["type"] == "PLACE") & m["entity_id"].isin(ids), "article_id"]
    return own.isin(codes | ids) | a["article_id"].isin(set(named))


def pandas_counts(out: Path, args: list[str], gaz: object) -> tuple[int, int]:
    """Articles and mentions passing the flags, by pandas over the committed Parquet parts."""
    store = Store(out)
    a, m = pd.read_parquet(store.part_files("articles")), pd.read_parquet(store.part_files("mentions"))
    keep = pd.Series(True, index=a.index)
    when = pd.to_datetime(a["issue_date"])
    for day in _flag(args, "--from"):
        keep &= when >= pd.Timestamp(day)
    for day in _flag(args, "--to"):
        keep &= when <= pd.Timestamp(day)
    if _flag(args, "--page"):
        keep &= a["page"].isin([int(p) for p in _flag(args, "--page")])
    for loc in _flag(args, "--locality"):
        keep &= _in_locality(a, m, loc, gaz)
    if "--no-titles" in args:  # the one filter: bodies inside officials' titles left out
        m = m[~m["in_title"]]
    return int(keep.sum()), int(m["article_id"].isin(set(a.loc[keep, "article_id"])).sum())


def _terminal_and_html(out: Path, args: list[str], html: Path) -> tuple[int, int]:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["report", str(out), *args, "--html", str(html), "--top", "3"]) == 0
    first = re.search(r": (\d+) articles, (\d+) mentions, \d+ entities\n", " ".join(stdout.getvalue().split(" \n")))
    return int(first.group(1)), int(first.group(2))


def _export(out: Path, args: list[str], dest: Path) -> tuple[int, int]:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["export", str(dest), "--outputs", str(out), *args]) == 0
    found = re.search(r": (\d+) articles, (\d+) mentions,", stdout.getvalue())
    return int(found.group(1)), int(found.group(2))


def _notebook(out: Path, args: list[str]) -> tuple[int, int]:
    f = R.Filters(*(dt.date.fromisoformat(d[0]) if d else None for d in (_flag(args, "--from"), _flag(args, "--to"))),
                  tuple(int(p) for p in _flag(args, "--page")), next(iter(_flag(args, "--locality")), None),
                  titles="--no-titles" not in args)
    t = R.apply_filters(load(out), f)
    return len(t.articles), len(t.mentions)


def test_terminal_html_export_notebook_and_pandas_agree(archive: Path, tmp_path: Path) -> None:
    from pipeline.report.filters import outputs_gazetteer

    browser = find_browser()
    gaz = outputs_gazetteer(archive)
    rows, pages = {}, {}
    for i, (name, args) in enumerate(COMBOS.items()):
        pages[name] = tmp_path / f"combo{i}.html"
        rows[name] = {
            "terminal": _terminal_and_html(archive, args, pages[name]),
            "export": _export(archive, args, tmp_path / f"csv{i}"),
            "notebook": _notebook(archive, args),
            "pandas": pandas_counts(archive, args, gaz),
        }
    for name, page in zip(pages, rendered_many(browser, list(pages.values()))):
        assert page["errors"] == "0", (name, page)
        rows[name]["html"] = (int(page["rendered"]), int(page["mentions"]))
        built = page["builtWith"]
        assert built.startswith("Opened with: "), built
        for value in COMBOS[name][1::2]:
            assert value in built, (name, built)  # the page says which filters it opened with
        # and whether the bodies inside officials' titles are counted
        assert ("left out" in built) == ("--no-titles" in COMBOS[name]), (name, built)
        if not COMBOS[name]:
            assert built == "Opened with: all articles; " + R.Filters().counts_titles()
    table = pd.DataFrame(rows).T
    disagree = table[table.apply(lambda r: len(set(r)) > 1, axis=1)]
    assert disagree.empty, f"\n{table.to_string()}"
    counts = table["pandas"]
    total = counts["all"][0]
    narrowed = [name for name, (n, _) in counts.items() if 0 < n < total]
    assert len(narrowed) >= 12, counts  # the combinations select something, and not everything
    assert counts["a known place in no article"] == (0, 0)


@pytest.mark.parametrize("command", ["report", "export"])
def test_an_unknown_place_is_one_line_and_exit_2(archive: Path, tmp_path: Path, command: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(archive), "--html", str(tmp_path / "r.html")] if command == "report" \
        else [str(tmp_path / "x.csv.d"), "--outputs", str(archive)]
    assert main([command, *args, "--locality", "新埭真"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, (out, err)
    assert "--locality 新埭真" in err and "did you mean" in err and "新埭镇" in err
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "x.csv.d").exists()
    assert main([command, *args, "--locality", "不存在镇"]) == 2  # nothing close: still an error
    assert "no such place" in capsys.readouterr().err


def test_offices_respect_the_filters(archive: Path) -> None:
    """Under --to, nobody's office shows a last_seen after it, and the counts are those of the
    articles in the window (the unfiltered table has later dates, so this can fail)."""
    t = load(archive)
    to = dt.date(2024, 4, 30)
    assert (t.offices["last_seen"].dt.date > to).any()
    for f in (R.Filters(date_to=to), R.Filters(date_from=dt.date(2024, 3, 10), locality="local")):
        sub = R.apply_filters(t, f)
        o = sub.offices
        assert not o.empty and len(o) < len(t.offices)
        first, last = pd.to_datetime(sub.articles["issue_date"]).agg(["min", "max"])
        assert (o["first_seen"] >= first).all() and (o["last_seen"] <= last).all()
        m = sub.mentions[sub.mentions["entity_id"].fillna("").str.startswith("person:")]
        flat = [(r.entity_id, o_["office"], o_["org_id"] or "", r.article_id) for r in m.itertuples() for o_ in r.offices]
        expected = pd.DataFrame(flat, columns=["person_id", "office", "org_id", "article_id"]).groupby(
            ["person_id", "office", "org_id"])["article_id"].nunique()
        got = o.assign(org_id=o["org_id"].fillna("")).set_index(["person_id", "office", "org_id"])["article_count"]
        assert got.sort_index().to_dict() == expected.sort_index().to_dict()
        e, named = sub.entities, set(sub.mentions["entity_id"].dropna())
        assert named <= set(e["entity_id"]) and set(e["entity_id"]) - named <= set(o["org_id"].dropna())
        assert (e["first_seen"] >= first).all() and (e["last_seen"] <= last).all()
    data = R.report(archive, filters=R.Filters(date_to=to), console=_quiet())
    assert (pd.to_datetime(data["offices"]["last_seen"]).dt.date <= to).all()


def _quiet() -> object:
    from rich.console import Console

    return Console(file=io.StringIO(), width=200)


def test_a_town_bar_counts_what_its_filter_selects(archive: Path) -> None:
    """The town chart (PNG and notebook: ``town_coverage``; HTML: the page's own bars) counts for
    each town the articles ``--locality <town>`` selects, villages and all."""
    from pipeline.report.html import payload

    t = load(archive)
    towns = R.town_coverage(t)
    assert len(towns) >= 8
    page = {key: len(idx) for key, _, kind, idx in payload(t, "x")["localities"] if kind == "town"}
    assert set(page) == set(towns["entity_id"])  # the page charts the same towns
    for town in towns.itertuples():
        selected = R.apply_filters(t, R.Filters(locality=town.name)).articles
        assert town.articles == len(selected) == page[town.entity_id], town.name
