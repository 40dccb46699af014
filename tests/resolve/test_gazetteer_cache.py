"""A built gazetteer's tables are kept in the temporary directory and read by later processes
(issue 34: start-up).

Why: building the gazetteer took about 0.08 s of every process's start; the cache must give a
gazetteer equal to a fresh build, survive a cut-short or corrupt file and never serve the tables
of a directory whose files have since changed, even at the same size and modification time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from pipeline.gazetteers import cache, gazetteer
from pipeline.gazetteers.gazetteer import clear_cache, load_gazetteer
from tests.county_fixture import make_county

PINGHU = Path(gazetteer.__file__).resolve().parent / "pinghu"


@pytest.fixture
def builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The gazetteers built (not read from the cache), in a temporary directory of the test's
    own so the real cache is never touched; the process's loaded gazetteers forgotten."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    built: list[Path] = []
    build = gazetteer._build

    def counted(path: Path) -> gazetteer.Gazetteer:
        built.append(path)
        return build(path)

    monkeypatch.setattr(gazetteer, "_build", counted)
    clear_cache()
    yield built
    clear_cache()


def _fresh_load(path: Path) -> gazetteer.Gazetteer:
    clear_cache()
    return load_gazetteer(path)


def _cached(path: Path) -> Path:
    found = cache.cache_file(path.resolve())
    assert found is not None and found.parent == Path(tempfile.gettempdir())
    return found


def test_the_cached_gazetteer_equals_a_fresh_build(builds: list[Path]) -> None:
    first = _fresh_load(PINGHU)
    second = _fresh_load(PINGHU)
    assert len(builds) == 1 and _cached(PINGHU).is_file() and second is not first
    fresh = gazetteer._build(PINGHU.resolve())
    assert second == fresh and second.path == fresh.path
    assert list(second.surfaces().items()) == list(fresh.surfaces().items())  # ranked, in order
    assert second.names_for_ruler() == fresh.names_for_ruler()
    assert second.common_words == fresh.common_words and second.relations == fresh.relations
    assert not list(Path(tempfile.gettempdir()).glob("*.part"))


@pytest.mark.parametrize("damage", ["cut", "flipped", "empty", "other shape"])
def test_a_cut_short_or_corrupt_cache_is_rebuilt(builds: list[Path], tmp_path: Path, damage: str) -> None:
    county = make_county(tmp_path / "county")
    good = _fresh_load(county)
    cached = _cached(county)
    data = cached.read_bytes()
    if damage == "other shape":
        cache.write_tables(cached, ((), (), {}, frozenset(), {"x": (("div:1", "exact"),)}))
    else:
        cached.write_bytes({"cut": data[: len(data) // 2], "flipped": data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],
                            "empty": b""}[damage])
    assert _fresh_load(county) == good and len(builds) == 2
    assert cached.read_bytes() == data  # written whole again
    assert _fresh_load(county) == good and len(builds) == 2


def test_a_changed_file_is_not_served_the_old_tables(builds: list[Path], tmp_path: Path) -> None:
    county = make_county(tmp_path / "county")
    agencies = county / "agencies.csv"
    assert _fresh_load(county).lookup("海宁市公安局")
    stat = agencies.stat()
    agencies.write_text(agencies.read_text(encoding="utf-8").replace("公安局", "教育局"), encoding="utf-8")
    os.utime(agencies, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time: other contents
    assert agencies.stat().st_size == stat.st_size
    edited = _fresh_load(county)
    assert edited.lookup("海宁市教育局") and not edited.lookup("海宁市公安局") and len(builds) == 2
    with agencies.open("a", encoding="utf-8") as fh:
        fh.write("court,海宁市人民法院,court,,,\n")
    assert _fresh_load(county).lookup("海宁市人民法院") and len(builds) == 3
    (county / "lexicons").mkdir()
    (county / "lexicons" / "common_words.txt").write_text("# source: test\n许村\n", encoding="utf-8")
    assert _fresh_load(county).common_words != edited.common_words and len(builds) == 4


def test_a_cache_file_another_user_owns_is_not_read(builds: list[Path], tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("giving a file to another user needs root")
    county = make_county(tmp_path / "county")
    good = _fresh_load(county)
    cached = _cached(county)
    config, entries, relations, common, _index = good.tables()
    cache.write_tables(cached, (config, entries, relations, common, {}))  # loads, with no names, if read
    os.chown(cached, 4242, -1)
    assert _fresh_load(county) == good and len(builds) == 2
    mine = _cached(county)
    assert mine != cached and mine.name.endswith(f"-{os.getuid()}.marshal") and mine.is_file()
