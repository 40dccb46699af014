"""The link step of one page, after recognition: everything between "spans with roles" and
"rows an analyst can count", in the order each part needs the one before.

1. each article's locality (a continuation with none of its own takes its story's), then every
   mention resolved in it (:meth:`Resolver.resolve_articles`)
   — names found by their shape (县政府, 中美双方) are recognised before this, by the
   ``agency_shapes`` and ``country_pairs`` recognise passes;
2. people: offices, public-office flag, untitled repeats and surname + title references,
   over the issue's pages in order (``memory``);
3. each office and the body printed in its title joined to one entity (``join_title_bodies``).

One call for the runner, so that the runner's own loop stays about files and pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.records import Article, Mention
from pipeline.resolve.offices import join_title_bodies
from pipeline.resolve.people import IssueMemory, cluster_people

__all__ = ["link_page"]


def link_page(
    resolver,  # noqa: ANN001 - pipeline.resolve.resolver.Resolver
    articles: Sequence[Article],
    mentions: list[Mention],
    memory: IssueMemory | None = None,
) -> IssueMemory:
    """Link one page's mentions in place (and set each article's ``locality``); returns the
    issue memory to pass to the next page of the same issue."""
    memory = memory or IssueMemory()
    memory.follow(articles)  # stories first: a continuation takes its story's locality
    localities = resolver.resolve_articles(articles, mentions, memory.locality)
    for a in articles:
        a.locality = localities[a.article_id].key
    memory = cluster_people(articles, mentions, resolver, localities, memory)
    join_title_bodies(mentions)
    return memory
