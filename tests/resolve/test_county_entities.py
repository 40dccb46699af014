"""Issue 31 end to end on the project's dev pages and the sample page: bodies inside titles are
in-title ORG mentions whose ids the offices share, every office's organisation is an entity,
no one-character place is read inside a word and no honorific person is cut to its surname."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.evaluation.harness import dev_pages
from pipeline.evaluation.metrics import norm_surface, read_page_gold
from pipeline.lexicons import entries

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_2b345dada261a864.txt"
SEED_GOLD = REPO / "tests" / "data" / "gold" / "seed_page.tsv"
HONORIFICS = tuple(entries("person_honorifics"))


@pytest.fixture(scope="module")
def dev_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.cli.main import main

    src = tmp_path_factory.mktemp("dev-pages")
    for page in dev_pages():
        shutil.copy(page, src / page.name)
    out = tmp_path_factory.mktemp("dev-outputs")
    assert main(["run", str(src), str(SEED), "--out", str(out), "--quiet"]) == 0
    return out


def _table(out: Path, name: str):  # noqa: ANN202 - pandas.DataFrame
    from pipeline.store import load

    return load(out)[name]


def test_every_office_organisation_is_an_entity(dev_outputs: Path) -> None:
    offices = _table(dev_outputs, "offices")
    entities = set(_table(dev_outputs, "entities")["entity_id"])
    org_ids = set(offices["org_id"].dropna())
    assert org_ids, "the dev pages name officials of known bodies"
    assert org_ids <= entities, sorted(org_ids - entities)


def test_company_posts_name_their_company(dev_outputs: Path) -> None:
    """A company post's office points at the company printed in its title (a NIL cluster)."""
    mentions = _table(dev_outputs, "mentions")
    titled = mentions[mentions["in_title"] & (mentions["type"] == "ORG")]
    assert len(titled) >= 20
    companies = titled[titled["surface"].str.contains("公司|银行|集团")]
    assert len(companies) >= 1
    offices = _table(dev_outputs, "offices")
    assert set(companies["entity_id"].dropna()) & set(offices["org_id"].dropna())


def test_companies_have_a_kind(dev_outputs: Path) -> None:
    entities = _table(dev_outputs, "entities")
    nil_orgs = entities[entities["entity_id"].str.startswith("nil:ORG:")]
    kinds = dict(zip(nil_orgs["canonical"], nil_orgs["kind"].astype(str)))
    named = {c: k for c, k in kinds.items() if c.endswith("有限公司")}
    assert named and set(named.values()) == {"company"}, named
    assert set(kinds.values()) <= {"company", "agency", "organisation"}


def test_in_title_is_stored_and_counted(dev_outputs: Path) -> None:
    files = sorted((dev_outputs / "mentions").rglob("*.parquet"))
    assert files and "in_title" in pq.read_schema(files[0]).names
    entities = _table(dev_outputs, "entities")
    committee = entities[entities["canonical"] == "中共平湖市委"]
    assert len(committee) == 1 and 0 < int(committee["title_mention_count"].iloc[0]) <= int(
        committee["mention_count"].iloc[0])


def _gold_surfaces() -> set[tuple[str, str]]:
    out = set()
    for page in [*dev_pages(), SEED]:
        gold = SEED_GOLD if page == SEED else page.with_name(page.name + ".gold.tsv")
        out |= {(r.type, norm_surface(r.surface)) for r in read_page_gold(gold)}
    return out


def test_no_one_character_place_inside_a_word(dev_outputs: Path) -> None:
    mentions = _table(dev_outputs, "mentions")
    singles = mentions[(mentions["type"] == "PLACE") & (mentions["surface"].str.len() == 1)]
    gold = _gold_surfaces()
    wrong = [(r.surface, r.sentence) for r in singles.itertuples() if ("PLACE", r.surface) not in gold]
    assert not wrong


def test_no_honorific_person_cut_to_a_surname(dev_outputs: Path) -> None:
    mentions = _table(dev_outputs, "mentions")
    articles = _table(dev_outputs, "articles").set_index("article_id")["text"]
    people = mentions[(mentions["type"] == "PERSON") & (mentions["surface"].str.len() == 1)]
    cut = [r.surface for r in people.itertuples() if articles[r.article_id][r.end : r.end + 2].startswith(HONORIFICS)]
    assert not cut
