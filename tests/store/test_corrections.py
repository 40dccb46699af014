"""Corrections that stick (issue 35): merge, link, split, relabel, drop and alias, recorded with
``pinghu-ner correct``, applied to the committed rows at once and again by every run, re-run and
``--resume``; ``check`` names a correction that no longer applies.

The pages are made up (tests/rerun_fixture.py plus one company sentence); which rows a correction
must change is worked out from the tables before it, not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from rerun_fixture import assert_same_tables, page, write

import pipeline
from pipeline.cli.main import main
from pipeline.store.corrections import CORRECTIONS_FILE, Corrections, mention_key

DAYS = (dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(2024, 3, 3))
NAMES = ("严志刚", "柏文涛", "顾建华")


def _page(day: dt.date, n: int) -> str:
    return page(day, n) + f"当天，{NAMES[n]}还走访了浙江华达新材料有限公司，华达新材料负责人沈国平介绍了企业情况。\n"


def _run_fresh(root: Path) -> Path:
    for n, day in enumerate(DAYS):
        write(root / "in" / f"{day}.md", _page(day, n))
    assert main(["run", str(root / "in"), "--out", str(root / "out"), "--quiet"]) == 0
    return root


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs only read (or copied and refused) by the tests that share them."""
    return _run_fresh(tmp_path_factory.mktemp("corr"))


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """Outputs of its own (a source is its path: a copy of another directory's inputs would be
    three more sources)."""
    return _run_fresh(tmp_path)


def _m(t: pipeline.Tables, day: dt.date, surface: str, type_: str, nth: int = 0) -> pd.Series:
    m = t.mentions
    hit = m[(m.issue_date == pd.Timestamp(day)) & (m.surface == surface) & (m.type.astype(str) == type_)]
    return hit.sort_values("start").iloc[nth]


def _correct(out: Path, *args: str) -> int:
    return main(["correct", *args, "--outputs", str(out)])


def _one_of_each(out: Path) -> dict[str, str]:
    """Record one correction of each kind; returns what each one targets."""
    t = pipeline.load(out)
    first, third = _m(t, DAYS[0], NAMES[0], "PERSON"), _m(t, DAYS[2], NAMES[2], "PERSON")
    assert first.entity_id != third.entity_id
    byline = _m(t, DAYS[1], NAMES[1], "PERSON", 1)  # the second 柏文涛 of day 2 (the first: the byline)
    boss = _m(t, DAYS[0], "沈国平", "PERSON")
    place = _m(t, DAYS[2], "新仓镇", "PLACE", 1)
    company = _m(t, DAYS[0], "浙江华达新材料有限公司", "ORG")
    assert str(company.entity_id).startswith("nil:ORG:")
    want = {"merge": str(third.entity_id), "into": str(first.entity_id), "split": str(byline.mention_id),
            "relabel": str(boss.mention_id), "drop": str(place.mention_id), "link": str(company.entity_id),
            "town": str(place.entity_id)}
    assert _correct(out, "merge", want["merge"], want["into"], "--note", "same official") == 0
    assert _correct(out, "split", mention_key(want["split"]), "--name", "柏文涛（另一人）") == 0
    assert _correct(out, "relabel", want["relabel"], "ORG") == 0
    assert _correct(out, "drop", want["drop"]) == 0
    assert _correct(out, "link", want["link"], "org:330482-gov") == 0
    assert _correct(out, "alias", want["town"], "新仓集镇") == 0
    return want


def _assert_corrected(out: Path, want: dict[str, str]) -> None:
    t = pipeline.load(out)
    m, e, o, p = t.mentions, t.entities, t.offices, t.people
    ids = {c.action: c.id for c in Corrections.of(out).rows}
    keys = m.mention_id.astype(str).map(mention_key)
    # merge: the third day's secretary is the first day's; one office row spans all their days
    assert want["merge"] not in set(m.entity_id.dropna()) and want["merge"] not in set(e.entity_id)
    held = o[o.person_id.astype(str) == want["into"]]
    assert len(held) == 1 and held.first_seen.iat[0] == pd.Timestamp(DAYS[0])
    assert held.last_seen.iat[0] == pd.Timestamp(DAYS[2]) and held.correction.iat[0] == ids["merge"]
    assert (m[m.entity_id == want["into"]].issue_date.dt.date.unique().tolist() == [DAYS[0], DAYS[2]])
    # split: the reporter's body mention of day 2 is another person, with its own people row
    split = m[keys == mention_key(want["split"])]
    assert split.entity_id.tolist() == [f"person:split:{ids['split']}"] and split.correction.tolist() == [ids["split"]]
    assert p[p.person_id == f"person:split:{ids['split']}"].name.tolist() == ["柏文涛（另一人）"]
    # relabel: 沈国平 of day 1 is an ORG mention, no person row for him that day
    relabelled = m[keys == mention_key(want["relabel"])]
    assert relabelled.type.astype(str).tolist() == ["ORG"] and relabelled.mention_id.str.endswith(":ORG").all()
    assert str(relabelled.entity_id.iat[0]).startswith("nil:ORG:")
    assert not ((p.name == "沈国平") & (p.issue_date == pd.Timestamp(DAYS[0]))).any()
    # drop: the mention is gone, from mentions and from the town's count
    assert not (keys == mention_key(want["drop"])).any()
    # link: every mention of the company NIL now carries the gazetteer id
    assert want["link"] not in set(m.entity_id.dropna())
    linked = m[m.correction.fillna("").str.contains(ids["link"])]
    assert len(linked) == 6 and set(linked.entity_id) == {"org:330482-gov"}
    # alias: the town's entity row lists the analyst's name for it
    town = e[e.entity_id == want["town"]].iloc[0]
    assert "新仓集镇" in list(town.aliases) and ids["alias"] in town.correction.split(";")
    assert main(["check", str(out)]) == 0


def test_each_kind_applies_at_once_and_survives_a_rerun_and_a_resume(work: Path) -> None:
    out = work / "out"
    before = pipeline.load(out)
    want = _one_of_each(out)
    _assert_corrected(out, want)
    assert len(pipeline.load(out).mentions) == len(before.mentions) - 1  # the drop, nothing else lost
    snap = work / "snap"
    shutil.copytree(out, snap)
    assert main(["run", str(work / "in"), "--out", str(out), "--quiet"]) == 0  # recognition again
    assert_same_tables(snap, out)
    _assert_corrected(out, want)
    assert main(["run", str(work / "in"), "--out", str(out), "--quiet", "--resume"]) == 0  # all skipped
    assert_same_tables(snap, out)
    # a changed page is processed again on --resume, and its corrections come with it
    path = work / "in" / f"{DAYS[2]}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n会议还部署了春季防火工作。\n", encoding="utf-8")
    assert main(["run", str(work / "in"), "--out", str(out), "--quiet", "--resume"]) == 0
    _assert_corrected(out, want)


def test_a_file_edited_by_hand_is_applied_by_the_next_run(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = work / "out"
    t = pipeline.load(out)
    boss = _m(t, DAYS[1], "沈国平", "PERSON")
    (out / CORRECTIONS_FILE).write_text(f"id,action,target\nc0001,drop,{boss.mention_id}\n", encoding="utf-8")
    assert main(["check", str(out)]) == 1  # committed before the file: not yet corrected
    assert "not yet corrected" in capsys.readouterr().out
    assert main(["run", str(work / "in"), "--out", str(out), "--resume"]) == 0
    assert "applied to 1 committed source(s)" in capsys.readouterr().err
    m = pipeline.load(out).mentions
    assert boss.mention_id not in set(m.mention_id) and main(["check", str(out)]) == 0


def test_check_names_a_correction_that_no_longer_applies_and_a_removed_one(work: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = work / "out"
    t = pipeline.load(out)
    place = _m(t, DAYS[0], "新仓镇", "PLACE")
    gone = f"{place.article_id}:900-903"  # a span no mention has
    (out / CORRECTIONS_FILE).write_text(
        f"id,action,target,value\nc0001,drop,{gone}\nc0002,alias,{place.entity_id},新仓老镇\n", encoding="utf-8")
    assert main(["rebuild", str(out)]) == 0
    capsys.readouterr()
    assert main(["check", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "c0001 (drop" in lines[0] and "no longer applies" in lines[0]
    assert _correct(out, "remove", "c0001") == 0
    assert main(["check", str(out)]) == 0
    # removing one that changed rows: check says so until its sources are run again
    assert _correct(out, "relabel", str(place.mention_id), "ORG") == 0
    assert _correct(out, "remove", "c0003") == 0
    said = capsys.readouterr().out
    assert f"pinghu-ner run {work / 'in' / (str(DAYS[0]) + '.md')}" in said
    assert main(["check", str(out)]) == 1
    assert "carry correction(s) c0003" in capsys.readouterr().out
    assert main(["run", str(work / "in"), "--out", str(out), "--quiet"]) == 0
    assert main(["check", str(out)]) == 0
    assert pipeline.load(out).mentions.correction.isna().all()


@pytest.mark.parametrize(("args", "says"), [
    (["merge", "person:000000000000", "person:111111111111"], "no entity person:000000000000"),
    (["merge", "新仓镇", "org:330482-gov"], "新仓镇 is div:330482103"),
    (["relabel", "pinghu-daily:2024-03-01:x:p1:001:0-3", "ORG"], "no mention"),
    (["link", "div:330482103", "org:330482-gov"], "not a nil: id"),
    (["alias", "div:330482103"], "takes 2 argument(s), got 1"),
])
def test_correct_refuses_with_one_line(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       args: list[str], says: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(base / "out", out)
    capsys.readouterr()
    assert _correct(out, *args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0], err
    assert not (out / CORRECTIONS_FILE).exists()


def test_a_bad_corrections_file_stops_the_run_before_any_work(base: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path / "fix.csv", "id,action,target,value\nc0001,relabel,a:0-1,TOWN\n")
    assert main(["run", str(base / "in"), "--out", str(tmp_path / "out"), "--corrections", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"pinghu-ner: error: {bad}:2: relabel needs a type (PERSON, PLACE, ORG), not 'TOWN'"]
    assert not (tmp_path / "out" / "mentions").exists()


def test_a_rewrite_never_replaces_rows_committed_meanwhile(work: Path) -> None:
    """Corrections rewrite committed rows from the parts they read; if a run committed the source
    in between, the rewrite is refused under the lock and nothing is written."""
    import pyarrow.parquet as pq

    from pipeline.store.commit import Changed
    from pipeline.store.manifest import Manifest
    from pipeline.store.tables import commit_source

    out = work / "out"
    identity, rec = sorted(Manifest.load(out).files.items())[0]
    parts = rec["parts"]
    tables = {t: pq.read_table(out / p["file"]) for t, p in parts.items()}
    read_before = {**parts, "mentions": {**parts["mentions"], "sha256": "0" * 64}}  # what an older read saw
    before = pipeline.load(out).mentions
    with pytest.raises(Changed):
        commit_source(out, rec["source_key"], rec["paper"], dt.date.fromisoformat(rec["issue_date"]), tables,
                      identity, {k: v for k, v in rec.items() if k != "parts"}, expect_parts=read_before)
    assert Manifest.load(out).files[identity]["parts"] == parts
    pd.testing.assert_frame_equal(pipeline.load(out).mentions, before)
    assert main(["check", str(out)]) == 0  # no staged file left behind


def test_two_corrections_recorded_at_once_both_land(work: Path) -> None:
    """Each `correct` reads, adds and writes the file under the outputs lock, and a process whose
    corrections the file no longer holds leaves the stamping to the one that wrote them."""
    import subprocess
    import sys

    out = work / "out"
    town = _m(pipeline.load(out), DAYS[0], "新仓镇", "PLACE").entity_id
    cmd = [sys.executable, "-m", "pipeline", "correct", "alias", str(town)]
    names = ("新仓集镇", "新仓老街", "新仓老镇", "新仓新区")
    procs = [subprocess.Popen([*cmd, name, "--outputs", str(out)], stdout=subprocess.DEVNULL) for name in names]
    assert [p.wait(timeout=180) for p in procs] == [0] * len(names)
    rows = Corrections.of(out).rows
    assert sorted(c.value for c in rows) == sorted(names) and sorted(c.id for c in rows) == ["c0001", "c0002", "c0003", "c0004"]
    aliases = pipeline.load(out).entities.set_index("entity_id").aliases[town]
    assert set(names) <= set(aliases)
    assert main(["check", str(out)]) == 0  # every source stamped with the file's last corrections


def test_a_reapply_overtaken_by_a_newer_file_leaves_the_stamps_to_its_writer(
        work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race two `correct` processes can run into, made deterministic: A applies the file it
    read; before A stamps the sources, B writes a newer file and applies it all.  A must not then
    stamp the sources with corrections the file no longer holds."""
    from pipeline.store.corrections import reapply, update
    from pipeline.store.manifest import Manifest

    out = work / "out"
    town = str(_m(pipeline.load(out), DAYS[0], "新仓镇", "PLACE").entity_id)
    update(out, lambda now: now.added("alias", town, "新仓集镇", "", "PLACE"))
    real_update = Manifest.update

    def overtaken(out_dir: Path, change):  # noqa: ANN001, ANN202 - Manifest.update's signature
        monkeypatch.setattr(Manifest, "update", real_update)
        update(out, lambda now: now.added("alias", town, "新仓老街", "", "PLACE"))  # B writes
        reapply(out)  # and applies, stamping every source with the newer file
        return real_update(out_dir, change)  # then A's stamp

    monkeypatch.setattr(Manifest, "update", overtaken)
    reapply(out)  # A
    digest = Corrections.of(out).digest
    assert len(Corrections.of(out).rows) == 2
    assert {r.get("corrections") for r in Manifest.load(out).files.values()} == {digest}
