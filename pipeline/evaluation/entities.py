"""Entity-level metrics an analyst's counts depend on: person clustering, offices, linking, and
false local links.

Why separate from :mod:`pipeline.evaluation.metrics` (span and page scores): these measure the *ids*, which
is what "one official's timeline" or "which agencies appear with which officials" group by.

* person clustering: B-cubed precision / recall / F1 (Bagga & Baldwin 1998) of predicted person
  ids against gold person keys, over the gold person mentions;
* office accuracy: gold (person, office, rank, jurisdiction) tuples found among the predicted ones;
* linking accuracy: gold mentions whose predicted entity id is the gold id, overall and by the
  kind of entity the gold names (division, village, agency, company …:
  :mod:`pipeline.evaluation.link_kinds`);
* false-local-link rate: PLACE/ORG mentions in stories about elsewhere (or in national text)
  that got an id of the paper's county although the surface itself names no place of the
  county (平湖市人民检察院 printed in full is a right link wherever it appears); on national
  corpora both on their gold spans (the resolver alone) and on the spans the whole pipeline
  predicts (:mod:`pipeline.evaluation.national`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.evaluation.link_kinds import KINDS, gold_kind, link_right

__all__ = ["BCubed", "Rate", "bcubed", "false_local_rate_corpus", "false_local_rate_predicted", "is_false_local",
           "linking_by_kind"]


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    n: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.hits}/{self.total})"


def bcubed(gold: Mapping[Hashable, Hashable], pred: Mapping[Hashable, Hashable]) -> BCubed:
    """B-cubed over the items of ``gold`` (item → gold cluster); ``pred`` maps items to predicted
    clusters (an item missing from ``pred`` is a singleton of its own)."""
    items = list(gold)
    if not items:
        return BCubed(0.0, 0.0, 0)
    pred_of = {i: pred.get(i, ("missing", i)) for i in items}
    g_members: dict[Hashable, set] = defaultdict(set)
    p_members: dict[Hashable, set] = defaultdict(set)
    for i in items:
        g_members[gold[i]].add(i)
        p_members[pred_of[i]].add(i)
    p_sum = r_sum = 0.0
    for i in items:
        g, p = g_members[gold[i]], p_members[pred_of[i]]
        both = len(g & p)
        p_sum += both / len(p)
        r_sum += both / len(g)
    return BCubed(p_sum / len(items), r_sum / len(items), len(items))


def is_false_local(resolver, surface: str, entity_id: str) -> bool:  # noqa: ANN001 - Resolver
    """Did ``surface`` get an id of the paper's county without naming a place of the county?"""
    gaz = resolver.gazetteer
    entry = gaz.by_id(entity_id) if entity_id else None
    if entry is None or not entry.division_code.startswith(gaz.county_code):
        return False
    hit = resolver.place_hit(surface)
    return not (hit is not None and hit.own)


def false_local_rate_corpus(resolver, name: str, limit: int = 2000) -> Rate:  # noqa: ANN001 - Resolver
    """False-local-link rate on the gold PLACE/ORG spans of a national corpus (MSRA, PD1998),
    first ``limit`` sentences: each sentence is one story whose locality is inferred from its text
    alone (no source line, no byline), as a reprinted national item would be."""
    from pipeline.records import Mention
    from pipeline.training.corpora import read_corpus

    rate = Rate()
    for k, ex in enumerate(read_corpus(name)):
        if k >= limit:
            break
        ms = [
            Mention(f"s{k}", lab, ex.text[s:e], s, e, s, e)
            for s, e, lab in ex.spans
            if lab in ("PLACE", "ORG")
        ]
        if not ms:
            continue
        loc = resolver.locality_of("", ex.text, [], ms)
        resolver.resolve_many(ms, loc)
        rate.total += len(ms)
        rate.hits += sum(is_false_local(resolver, m.surface, m.entity_id) for m in ms)
    return rate


def false_local_rate_predicted(pipe, name: str, limit: int = 5000) -> Rate:  # noqa: ANN001 - Pipeline
    """False-local-link rate on the PLACE/ORG mentions ``pipe`` itself recognises and links in the
    first ``limit`` sentences of a national corpus, read as reprinted national items
    (:mod:`pipeline.evaluation.national`): what the tables would hold, not what a human marked."""
    from pipeline.evaluation.national import national_documents, predicted_national_mentions

    rate = Rate()
    for m in predicted_national_mentions(pipe, national_documents(name, limit), name):
        rate.total += 1
        rate.hits += is_false_local(pipe.resolver, m.surface, m.entity_id)
    return rate


def linking_by_kind(gazetteer, scored) -> dict[str, Rate]:  # noqa: ANN001 - Gazetteer, Iterable[(row, weight, right)]
    """Linking accuracy per entity kind (:func:`pipeline.evaluation.link_kinds.gold_kind`) over
    ``(gold row, weight, right)`` triples; a gold row has ``type``, ``surface``, ``canonical`` and
    maybe ``kind``.  Kinds in :data:`~pipeline.evaluation.link_kinds.KINDS` order, absent ones left out."""
    rates: dict[str, Rate] = {}
    for r, weight, right in scored:
        rate = rates.setdefault(gold_kind(gazetteer, r.type, r.surface, r.canonical, getattr(r, "kind", "")), Rate())
        rate.total += weight
        rate.hits += weight * bool(right)
    return {k: rates[k] for k in sorted(rates, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))}


# --------------------------------------------------------------------------------------------
# Multi-issue gold (tests/data/multi_issue/, format in tests/data/gold/ENTITY_GUIDELINES.md)


@dataclass(frozen=True)
class GoldEntityRow:
    issue: str
    article_no: int
    type: str
    surface: str
    count: int
    person: str  # gold person key (PERSON)
    canonical: str  # PLACE/ORG: canonical name, "NIL" for no linkable entity, "" not scored
    offices: frozenset[str]  # "office@org_id"
    kind: str = ""  # optional 9th column: the entity's kind where the name does not show it


@dataclass
class PredRow:
    entity_id: str = ""
    canonical: str = ""
    offices: set[str] = field(default_factory=set)
    count: int = 0


@dataclass
class EntityScores:
    persons: BCubed
    offices: Rate
    linking: Rate
    false_local: Rate
    locality: Rate
    wrong: list[str] = field(default_factory=list)
    by_kind: dict[str, Rate] = field(default_factory=dict)  # linking accuracy by entity kind

    def to_json(self) -> dict[str, object]:
        p = self.persons
        rates = {"offices": self.offices, "linking": self.linking, "false_local": self.false_local,
                 "locality": self.locality}
        out: dict[str, object] = {"person_bcubed": {"precision": p.precision, "recall": p.recall, "f1": p.f1, "n": p.n}}
        out.update({k: {"value": r.value, "hits": r.hits, "total": r.total} for k, r in rates.items()})
        out["linking_by_kind"] = {k: {"value": r.value, "hits": r.hits, "total": r.total} for k, r in self.by_kind.items()}
        out["errors"] = self.wrong
        return out

    def lines(self, title: str) -> list[str]:
        return [
            title,
            f"  person clustering B-cubed P / R / F1: {self.persons.precision:.3f} / {self.persons.recall:.3f} / "
            f"{self.persons.f1:.3f} ({self.persons.n} mentions)",
            f"  office accuracy: {self.offices}",
            f"  linking accuracy: {self.linking}",
            "  linking accuracy by kind: " + ("; ".join(f"{k} {r}" for k, r in self.by_kind.items()) or "-"),
            f"  false-local-link rate (PLACE/ORG mentions in non-local stories): {self.false_local}",
            f"  article locality accuracy: {self.locality}",
        ]


def _tsv(path: Path) -> list[list[str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [ln.split("\t") for ln in lines[1:]]


def read_entity_gold(directory: Path) -> tuple[list[GoldEntityRow], dict[tuple[str, int], str]]:
    rows = [
        GoldEntityRow(r[0], int(r[1]), r[2], r[3], int(r[4]), r[5], r[6],
                      frozenset(o for o in (r[7] if len(r) > 7 else "").split("|") if o), r[8] if len(r) > 8 else "")
        for r in _tsv(directory / "gold.tsv")
    ]
    loc = {(r[0], int(r[1])): r[2] for r in _tsv(directory / "articles.tsv")}
    return rows, loc


def _office_key(o: object) -> str:
    """``office@org id``; an unresolved organisation (a company printed in the title: a NIL id,
    a hash of its name) as ``nil:<name>``, so the gold can write it."""
    org = o.org_id or ""  # type: ignore[attr-defined]
    return f"{o.office}@{'nil:' + o.org_name if org.startswith('nil:') else org}"  # type: ignore[attr-defined]


def _offices_of_role(role: str, resolver) -> set[str]:  # noqa: ANN001 - Resolver
    """The office keys a gold role names, a company post with the company printed in its title
    (as ``join_title_bodies`` gives it the company mention's id)."""
    from dataclasses import replace

    from pipeline.recognize.title_parts import title_units
    from pipeline.resolve import parse_offices

    out = set()
    for o in parse_offices(role, resolver):
        units = [(s, e) for s, e, label in title_units(o.title) if label == "ORG"]
        if not o.org_id and units:
            link = resolver.resolve("ORG", o.title[units[0][0] : units[0][1]])
            o = replace(o, org_id=link.entity_id, org_name=link.canonical)
        out.add(_office_key(o))
    return out


def _predict(pipe, directory: Path, issues: list[str]):  # noqa: ANN001, ANN202 - Pipeline
    """Run the pipeline over each issue file: predicted rows by (issue, article, type, surface),
    the PLACE/ORG mentions per (issue, article), and the predicted localities."""
    from pipeline.gazetteers import normalise

    rows: dict[tuple[str, int, str, str], PredRow] = defaultdict(PredRow)
    mentions: dict[tuple[str, int], list] = defaultdict(list)
    localities: dict[tuple[str, int], str] = {}
    for issue in issues:
        res = pipe.process_file(directory / f"{issue}.md")
        order = {a.article_id: i + 1 for i, a in enumerate(res.articles)}
        for a in res.articles:  # what the articles table says (a continuation takes its story's)
            localities[(issue, order[a.article_id])] = a.locality
        for m in res.mentions:
            for surface, eid, canonical in _gold_convention(m):
                row = rows[(issue, order[m.article_id], m.type, normalise(surface))]
                row.count += 1
                row.entity_id = row.entity_id or eid
                row.canonical = row.canonical or canonical
                row.offices |= {_office_key(o) for o in m.offices}
            if m.type != "PERSON":
                mentions[(issue, order[m.article_id])].append(m)
    return rows, mentions, localities


def _gold_convention(m) -> list[tuple[str, str, str]]:  # noqa: ANN001 - Mention
    """A predicted mention as the gold writes it (ENTITY_GUIDELINES.md): a surname + title
    reference is its surname (蒋书记 → 蒋), a compound of one-character country forms is one
    mention per country (中美 → 中, 美, as MSRA annotates), whichever span the recogniser chose."""
    from pipeline.lexicons.countries import is_compound, one_char_forms
    from pipeline.resolve.people import reference_parts

    if m.type == "PERSON":
        ref = reference_parts(m.surface)
        return [(ref[0] if ref else m.surface, m.entity_id, m.canonical)]
    if is_compound(m.surface):
        return [(ch, f"country:{one_char_forms()[ch].code}", one_char_forms()[ch].name) for ch in m.surface]
    return [(m.surface, m.entity_id, m.canonical)]


def score_entities(pipe, directory: Path) -> EntityScores:  # noqa: ANN001 - Pipeline
    """Person B-cubed, office and linking accuracy, false-local-link rate and locality accuracy
    of the pipeline over a multi-issue gold directory."""
    from pipeline.gazetteers import normalise

    gold, gold_loc = read_entity_gold(directory)
    issues = sorted({r.issue for r in gold} | {k[0] for k in gold_loc})
    pred, mentions, pred_loc = _predict(pipe, directory, issues)
    g_clusters: dict[tuple, str] = {}
    p_clusters: dict[tuple, str] = {}
    offices, linking, wrong, linked = Rate(), Rate(), [], []
    for r in gold:
        p = pred.get((r.issue, r.article_no, r.type, normalise(r.surface)))  # as _predict keys them
        if r.type == "PERSON":
            for k in range(r.count):
                item = (r.issue, r.article_no, r.surface, k)
                g_clusters[item] = r.person
                if p is not None and p.entity_id and k < p.count:
                    p_clusters[item] = p.entity_id
            if r.offices:
                ok = p is not None and p.offices == set(r.offices)
                offices.total += 1
                offices.hits += ok
                if not ok:
                    wrong.append(f"office {r.issue}#{r.article_no} {r.surface}: {sorted(p.offices) if p else None}")
        elif r.canonical:
            ok = p is not None and link_right(r.canonical, p.entity_id, p.canonical)
            linked.append((r, r.count, ok))
            linking.total += r.count
            linking.hits += r.count * ok
            if not ok:
                wrong.append(f"link {r.issue}#{r.article_no} {r.surface}: {p.canonical if p else None}")
    false_local, locality = Rate(), Rate()
    for key, loc in gold_loc.items():
        locality.total += 1
        locality.hits += pred_loc.get(key) == loc
        if loc != "local":
            ms = mentions.get(key, [])
            false_local.total += len(ms)
            false_local.hits += sum(is_false_local(pipe.resolver, m.surface, m.entity_id) for m in ms)
    wrong += [f"locality {k}: {pred_loc.get(k)} (gold {v})" for k, v in gold_loc.items() if pred_loc.get(k) != v]
    by_kind = linking_by_kind(pipe.resolver.gazetteer, linked)
    return EntityScores(bcubed(g_clusters, p_clusters), offices, linking, false_local, locality, wrong, by_kind)


# --------------------------------------------------------------------------------------------
# The hand-annotated pages (tests/data/dev, page gold format of tests/data/gold/GUIDELINES.md)


def score_pages(pipe, pages: list[tuple[Path, Path]]) -> EntityScores:  # noqa: ANN001 - Pipeline
    """Entity scores on page gold: person B-cubed with one person per distinct gold name across
    the pages (the dev pages print no namesakes), office accuracy against the offices of the gold
    role (parsed by :func:`pipeline.resolve.offices.parse_offices`: this measures whether the right
    offices reach the tables, the parser itself is scored on the multi-issue gold), linking
    accuracy over gold canonical names as in :func:`pipeline.evaluation.metrics.score_page`."""
    import datetime as dt

    from pipeline.errors import InputError
    from pipeline.evaluation.metrics import norm_surface, read_page_gold

    g_clusters: dict[tuple, str] = {}
    p_clusters: dict[tuple, str] = {}
    offices, linking, linked = Rate(), Rate(), []
    for n, (page, gold_file) in enumerate(pages):
        try:
            res = pipe.process_file(page)
        except InputError:
            res = pipe.process_file(page, dt.date(2000, 1, 1))
        order = {a.article_id: i + 1 for i, a in enumerate(res.articles)}
        pred: dict[tuple[int, str, str], PredRow] = defaultdict(PredRow)
        for m in res.mentions:
            for surface, eid, canonical in _gold_convention(m):
                row = pred[(order[m.article_id], m.type, norm_surface(surface))]
                row.count += 1
                row.entity_id = row.entity_id or eid
                row.canonical = row.canonical or canonical
                row.offices |= {_office_key(o) for o in m.offices}
        for r in read_page_gold(gold_file):
            p = pred.get((r.article_no, r.type, r.surface))
            if r.type == "PERSON":
                for k in range(r.count):
                    item = (n, r.article_no, r.surface, k)
                    g_clusters[item] = r.surface
                    if p is not None and p.entity_id and k < p.count:
                        p_clusters[item] = p.entity_id
                want = _offices_of_role(r.role, pipe.resolver) if r.role else set()
                if want:
                    offices.total += 1
                    offices.hits += p is not None and p.offices == want
            elif r.canonical:
                linked.append((r, 1, p is not None and p.canonical == r.canonical))
                linking.total += 1
                linking.hits += linked[-1][2]
    by_kind = linking_by_kind(pipe.resolver.gazetteer, linked)
    return EntityScores(bcubed(g_clusters, p_clusters), offices, linking, Rate(), Rate(), [], by_kind)


def entity_report(settings, corpus_limit: int = 2000, predicted_limit: int = 0) -> dict[str, object]:  # noqa: ANN001
    """Every entity score ``make eval`` prints, for one backend (``settings``): dev pages, sample
    page, multi-issue gold, and the false-local-link rate on MSRA test and PD1998 (first
    ``corpus_limit`` sentences, gold spans: a resolver figure, the same for every backend); with
    ``predicted_limit``, also on the spans this backend's whole pipeline predicts in their first
    ``predicted_limit`` sentences (``false_local_predicted_<corpus>``)."""
    from pipeline.evaluation.harness import DEV_DIR, dev_pages, gold_path_for
    from pipeline.runner import Pipeline
    from pipeline.settings import REPO_DIR

    pipe = Pipeline(settings)
    seed = REPO_DIR / "seeds" / "000_2b345dada261a864.txt"
    out: dict[str, object] = {
        "dev": score_pages(pipe, [(p, gold_path_for(p)) for p in dev_pages()]),
        "sample": score_pages(pipe, [(seed, REPO_DIR / "tests" / "data" / "gold" / "seed_page.tsv")]),
        "multi_issue": score_entities(pipe, DEV_DIR.parent / "multi_issue"),
        "held_out": score_entities(pipe, DEV_DIR.parent / "multi_issue_heldout"),
    }
    for name in ("msra-test", "pd1998"):
        out[f"false_local_{name}"] = false_local_rate_corpus(pipe.resolver, name, corpus_limit)
        if predicted_limit:
            out[f"false_local_predicted_{name}"] = false_local_rate_predicted(pipe, name, predicted_limit)
    return out


def report_lines(backend: str, rep: dict[str, object]) -> list[str]:
    lines: list[str] = []
    titles = (("dev", "dev pages"), ("sample", "sample page"), ("multi_issue", "multi-issue gold"),
              ("held_out", "held-out issues (written after the code was frozen; see docs/accuracy.md)"))
    for key, title in titles:
        s = rep[key]
        lines += s.lines(f"{backend} on the {title}:")[:5 if key in ("dev", "sample") else 7]  # type: ignore[attr-defined]
    for name in ("msra-test", "pd1998"):
        lines.append(f"  false-local-link rate on {name} (gold PLACE/ORG spans): {rep[f'false_local_{name}']}")
        if f"false_local_predicted_{name}" in rep:
            lines.append(f"  false-local-link rate on {name} (predicted PLACE/ORG spans, whole pipeline, as national "
                         f"items): {rep[f'false_local_predicted_{name}']}")
    return lines
