"""People across an issue: one person id per real person, offices on every titled mention, and
surname + title references (顾书记, 沈市长) attached to the person they mean.

Why: the resolver's id is name + identity family (:func:`pipeline.resolve.resolver.identity_family`), which
already keeps 市委副书记、市长 and "…等市领导" together.  What it cannot see alone:

* an untitled repeat of a name in another article of the issue (沈建明表示…) would be a second,
  family-less person: it takes the id of its titled namesake when the issue has exactly one;
* 顾书记 is no person named 顾 or 顾书记: it is the person of surname 顾 holding a 书记 office in
  the article, else earlier in the issue; with no such person it stays unlinked (empty id),
  never a one-character person;
* ``is_official`` is public office only (:func:`pipeline.resolve.offices.is_public_role`);
* a story continued on another page (转第2版 … 上接第1版, ``Article.jumps``) is one story: its
  continuation prints the name without the title (邵国庆最后强调), so an untitled name or a
  surname + title reference is first read against the titled people of its story (the article
  and the parts it continues), and only then against the whole issue, where a namesake of
  another walk of life (a 总经理 of the same name) made the name ambiguous and the continuation
  a second person (issue 32).

The memory spans one issue file (its pages in order), not earlier files: outputs must not depend
on how files are spread over workers (see the README's "Running on a cluster").  So a story
continued across *files* (an issue stored one file per page, p1.md … 转第2版, p2.md 上接第1版) is
not joined: each file has its own memory, and the continuation's untitled name keeps its
family-less id.  Joining those needs every source of the issue date at once (the store).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline import lexicons as lexicon
from pipeline.gazetteers import normalise
from pipeline.recognize.agencies import sentence_around
from pipeline.recognize.occurrences import occurrences
from pipeline.recognize.overlap import IntervalIndex
from pipeline.records import Article, Mention
from pipeline.resolve.locality import LOCAL, Locality
from pipeline.resolve.offices import Office, is_public_role, parse_offices
from pipeline.resolve.resolver import role_family

__all__ = ["IssueMemory", "REFERENCE_POSTS", "cluster_people", "find_references", "parse_jump", "reference_parts"]

# Posts used as a form of address after a surname (顾书记, 沈市长, 江主席, 王局长): a data file.
REFERENCE_POSTS = tuple(sorted(lexicon.entries("reference_posts"), key=len, reverse=True))
_REF_RE = re.compile(rf"^([\u4e00-\u9fff]{{1,2}}?)({'|'.join(REFERENCE_POSTS)})$")


_Holder = tuple[str, str, list[Office]]  # (name, role, offices) of a titled person id
_JUMP_PAGE = re.compile(r"(\d{1,3})版$")


def parse_jump(jump: str) -> tuple[str, int] | None:
    """``("out", 2)`` for 转第2版 / 下转第2版 / 转A2版, ``("in", 1)`` for 上接第1版 / 接第1版 /
    续第1版 (as ``Article.jumps`` keeps them, simplified or traditional); None without a page."""
    m = _JUMP_PAGE.search(jump)
    if not m:
        return None
    return ("out" if ("转" in jump or "轉" in jump) else "in"), int(m.group(1))


@dataclass
class _Jump:
    """A story that goes on to another page (转第<to_page>版), until a continuation takes it."""

    page: int
    to_page: int
    story: str
    headline: str
    taken: bool = False


@dataclass
class IssueMemory:
    """What the issue has shown so far: titled people by name, and by (surname, post), over the
    issue and per story (an article with its continuations on later pages)."""

    by_name: dict[str, set[str]] = field(default_factory=dict)  # name → official/known ids
    # (surname, post) → {id: (name, role, offices)}
    by_post: dict[tuple[str, str], dict[str, _Holder]] = field(default_factory=dict)
    stories: dict[str, str] = field(default_factory=dict)  # article id → id of the story's first article
    # (story, name) → ids; (story, surname, post) → {id: (name, role, offices)}
    story_names: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    story_posts: dict[tuple[str, str, str], dict[str, _Holder]] = field(default_factory=dict)
    story_pairs: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # story → (surname, post)
    open_jumps: list[_Jump] = field(default_factory=list)  # stories that go on (转第N版)
    localities: dict[str, Locality] = field(default_factory=dict)  # article id → its locality

    def story(self, article_id: str) -> str:
        return self.stories.get(article_id, article_id)

    def remember(self, m: Mention) -> None:
        if not m.entity_id or role_family(m.role) == "none":
            return
        story = self.story(m.article_id)
        self.by_name.setdefault(m.canonical, set()).add(m.entity_id)
        self.story_names.setdefault((story, m.canonical), set()).add(m.entity_id)
        holder = (m.canonical, m.role, m.offices)
        self.story_pairs.setdefault(story, set()).update(_titled_pairs([m]))
        for o in m.offices:
            for post in {o.post, o.office}:
                self.by_post.setdefault((m.canonical[:1], post), {})[m.entity_id] = holder
                self.story_posts.setdefault((story, m.canonical[:1], post), {})[m.entity_id] = holder

    def follow(self, articles: Iterable[Article]) -> None:
        """File a page's articles under their stories: one that says 上接第1版 continues the
        page-1 article that said 转第<this page>版 (the one of the same headline when several
        did, else the only one not yet continued; none when that is ambiguous)."""
        for a in articles:
            if a.article_id in self.stories:  # filed already: following twice would open its jumps twice
                continue
            jumps = [j for j in map(parse_jump, a.jumps) if j is not None]
            story = a.article_id
            for direction, page in jumps:
                if direction == "in":
                    story = self._continued(a, page) or story
            self.stories[a.article_id] = story
            for direction, page in jumps:
                if direction == "out":
                    self.open_jumps.append(_Jump(a.page, page, story, a.headline))

    def locality(self, article_id: str, found: Locality) -> Locality:
        """The article's locality: ``found`` from its own text, unless that is unknown and it
        continues a story (上接第1版) whose first part's locality is known: a continuation
        prints no dateline or source line, but it is the same story (remembered for later pages)."""
        story = self.story(article_id)
        if found.kind == "unknown" and story != article_id:
            found = self.localities.get(story, found)
        self.localities[article_id] = found
        return found

    def _continued(self, a: Article, from_page: int) -> str:
        cands = [j for j in self.open_jumps if j.page == from_page and j.to_page == a.page and not j.taken]
        same = [j for j in cands if a.headline and j.headline == a.headline]
        pick = same[:1] if same else cands if len(cands) == 1 else []
        if not pick:
            return ""
        pick[0].taken = True
        return pick[0].story


def reference_parts(surface: str, after: str = "") -> tuple[str, str] | None:
    """(surname, post) when ``surface`` is a surname + post (顾书记), or a lone surname that
    ``after`` (the text following it) continues with a post (顾 | 书记)."""
    m = _REF_RE.match(surface)
    if m:
        return m.group(1), m.group(2)
    if len(surface) == 1:
        post = next((p for p in REFERENCE_POSTS if after.startswith(p)), "")
        if post:
            return surface, post
    return None


def cluster_people(
    articles: Sequence[Article],
    mentions: Sequence[Mention],
    resolver,  # noqa: ANN001 - Resolver
    localities: dict[str, Locality] | None = None,
    memory: IssueMemory | None = None,
) -> IssueMemory:
    """Offices, ``is_official``, untitled repeats and surname + title references of one page's
    PERSON mentions, in place; ``memory`` carries the issue's earlier pages.  Returns it."""
    memory = memory or IssueMemory()
    memory.follow(articles)
    localities = localities or {}
    if isinstance(mentions, list):
        find_references(articles, mentions, memory)
    text_of = {a.article_id: a.text for a in articles}
    people = [m for m in mentions if m.type == "PERSON"]
    refs: list[tuple[Mention, tuple[str, str]]] = []
    for m in people:
        loc = localities.get(m.article_id, LOCAL)
        after = text_of.get(m.article_id, "")[m.end : m.end + 4]
        # 顾书记 as one span, or 顾 with the post after it (which the title rules made its role)
        ref = reference_parts(m.surface, after) if (not m.role or len(m.surface) == 1) else None
        if ref is not None:
            refs.append((m, ref))
            continue
        m.offices = _offices(m.role, resolver, loc)
        if m.role and role_family(m.role) != "press":  # a title of no family (新埭支行行长) too
            m.is_official = is_public_role(m.role)
        _place_official(m, resolver.gazetteer.county_code)
    for m in people:
        if m.offices or role_family(m.role) != "none":
            memory.remember(m)
    _adopt_untitled(people, {id(r[0]) for r in refs}, memory)
    holders = _Holders(people)
    for m, (surname, post) in refs:
        _attach_reference(m, surname, post, holders, memory)
    return memory


def find_references(articles: Sequence[Article], mentions: list[Mention], memory: IssueMemory | None = None) -> int:
    """Add the surname + title references no recogniser found (柏市长 after 市长柏文涛 in the
    same article) as PERSON mentions of the surname; returns how many were added.  Only posts
    the article itself gives a person of that surname are searched, so the text decides; with
    ``memory``, also those of the story it continues (陶书记 on page 2 after 市委书记陶X on page 1)."""
    added: list[Mention] = []
    by_article: dict[str, list[Mention]] = {}
    for m in mentions:
        by_article.setdefault(m.article_id, []).append(m)
    for a in articles:
        ms = by_article.get(a.article_id, [])
        taken = IntervalIndex((m.start, m.end) for m in ms)
        story_pairs = memory.story_pairs.get(memory.story(a.article_id), set()) if memory else set()
        pairs = sorted(_titled_pairs(ms) | story_pairs)
        # Every pair's places in one reading of the text, each pair's taken left to right without
        # overlap as ``re.finditer`` takes them: a search per pair and a scan of every mention per
        # hit made a one-line file of a million characters (issue 33) cost pairs x characters.
        printed = occurrences(a.text, [surname + post for surname, post in pairs])
        for surname, post in pairs:
            hit_end = 0
            for s in printed[surname + post]:
                if s < hit_end:
                    continue
                e, hit_end = s + len(surname), s + len(surname + post)
                if taken.overlaps(s, hit_end):
                    continue
                src = a.mapped.to_source(s, e)
                added.append(Mention(a.article_id, "PERSON", surname, s, e, src[0], src[1],
                                     sentence=sentence_around(a.text, s), recognizer="people.reference"))
                taken.add(s, hit_end)
    if added:
        order = {a.article_id: i for i, a in enumerate(articles)}
        mentions.extend(added)
        mentions.sort(key=lambda m: (order.get(m.article_id, len(order)), m.start))
    return len(added)


def _titled_pairs(ms: Iterable[Mention]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for m in ms:
        if m.type == "PERSON" and len(m.surface) >= 2 and m.role:
            for seg_post in REFERENCE_POSTS:
                if seg_post in m.role:
                    pairs.add((m.surface[:1], seg_post))
    return pairs


def _place_official(m: Mention, county_code: str) -> None:
    """An official whose every office is another county's (金山区委书记刘建华) is a different
    person from a namesake of the paper's county: the id gets that place's county-level code.
    Officials of the county, of China (总书记) or of unknown place keep the plain official id."""
    if not m.entity_id.startswith("person:") or not m.is_official:
        return
    places = {o.jurisdiction[:6] for o in m.offices if o.public and o.jurisdiction not in ("", "CN")}
    if places and not any(p.startswith(county_code[: len(p)]) for p in places):
        m.entity_id = person_id_at(m.canonical, min(places))


def person_id_at(name: str, place_code: str) -> str:
    """``person:<12 hex>`` of an official of another place (see :func:`_place_official`)."""
    return "person:" + hashlib.sha1(f"{normalise(name)}|official@{place_code}".encode()).hexdigest()[:12]


def _offices(role: str, resolver, loc: Locality) -> list[Office]:  # noqa: ANN001
    return parse_offices(role, resolver, loc) if role else []


def _adopt_untitled(people: Iterable[Mention], skip: set[int], memory: IssueMemory) -> None:
    """A name printed without a role takes the id of the one titled person of that name in its
    story (article and continuations), else in the issue."""
    for m in people:
        if id(m) in skip or m.role or not m.entity_id:
            continue
        ids = memory.story_names.get((memory.story(m.article_id), m.canonical), set())
        if not ids:
            ids = memory.by_name.get(m.canonical, set())
        if len(ids) == 1:
            m.entity_id = next(iter(ids))


class _Holders:
    """A page's people with an id by (article, first character of the name, post or office held),
    in page order, kept current as references are linked (a linked 顾书记 holds the office too).

    Why: each reference scanned every person of the page, so a one-line file of a million
    characters (issue 33), one article with thousands of references, cost references x people.
    ``holding`` lists who the scan's test (same article, an id, the surname, the post in
    ``(o.post, o.office)`` of some office) picks, in the same order."""

    def __init__(self, people: Sequence[Mention]) -> None:
        self._order = {id(p): i for i, p in enumerate(people)}
        self._at: dict[tuple[str, str, str], dict[int, Mention]] = {}
        self._keys: dict[int, set[tuple[str, str, str]]] = {}
        for p in people:
            self.file(p)

    def file(self, p: Mention) -> None:
        """(Re)file ``p`` under what it holds now."""
        i = self._order[id(p)]
        for key in self._keys.pop(id(p), ()):
            del self._at[key][i]
        if p.entity_id:
            keys = {(p.article_id, p.canonical[:1], post) for o in p.offices for post in (o.post, o.office)}
            for key in keys:
                self._at.setdefault(key, {})[i] = p
            self._keys[id(p)] = keys

    def holding(self, article_id: str, surname: str, post: str) -> list[Mention]:
        found = self._at.get((article_id, surname, post), {})
        return [found[i] for i in sorted(found)]


def _attach_reference(m: Mention, surname: str, post: str, holders: _Holders, memory: IssueMemory) -> None:
    """顾书记 → the person of surname 顾 with a 书记 office: in the article first, then its story
    (the parts it continues on earlier pages), else the issue."""
    here = {p.entity_id: p for p in holders.holding(m.article_id, surname, post) if p is not m}
    seen = memory.story_posts.get((memory.story(m.article_id), surname, post), {})
    seen = seen or memory.by_post.get((surname, post), {})
    if len(here) == 1:
        target = next(iter(here.values()))
        _link_ref(m, target.entity_id, target.canonical, target.role, target.offices)
    elif not here and len(seen) == 1:
        eid, (name, role, offices) = next(iter(seen.items()))
        _link_ref(m, eid, name, role, offices)
    else:
        m.entity_id, m.canonical, m.link_method, m.link_confidence = "", m.surface, "nil", 0.0
    holders.file(m)


def _link_ref(m: Mention, eid: str, name: str, role: str, offices: list[Office]) -> None:
    m.entity_id, m.canonical, m.link_method, m.link_confidence = eid, name, "person", 0.7
    m.role = role or m.role
    m.offices = list(offices)
    m.is_official = is_public_role(m.role)
