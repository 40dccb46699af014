"""The resolve stage: each article's locality, every mention linked to a gazetteer id or a NIL
cluster, people with their offices.

``link_page`` is the one call the runner makes per page (``linking``); ``Resolver`` links single
mentions (``resolver``); ``locality`` decides where a story happens; ``place_bodies`` turns
"<place> + body" into the body of that place; ``offices`` parses titles into offices;
``people`` clusters person mentions over an issue.
"""

from pipeline.resolve.linking import link_page
from pipeline.resolve.offices import Office, is_public_role, parse_offices, split_title
from pipeline.resolve.people import IssueMemory, cluster_people
from pipeline.resolve.resolver import Resolver, role_family

__all__ = [
    "IssueMemory",
    "Office",
    "Resolver",
    "cluster_people",
    "is_public_role",
    "link_page",
    "parse_offices",
    "role_family",
    "split_title",
]
