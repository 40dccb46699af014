"""One-character place forms to their division or country: 沪 → 上海市, 浙 → 浙江省, 平 → 平湖市,
美 → 美国.

Why here and not in the gazetteer index: a one-character alias in the index would link every
character of running text; the recogniser keeps a one-character PLACE only where it stands as a
word (赴沪, 沪杭, 中美; ``pipeline.recognize.short_forms``), so the mention, once kept, names the
division.  Forms and codes: ``short_form_divisions``; the paper's own county form is the
gazetteer's (``gazetteer.json`` one_char_form); country forms: ``countries.txt``.
"""

from __future__ import annotations

from pipeline import lexicons as lexicon
from pipeline.lexicons.countries import single_form
from pipeline.records import Link

__all__ = ["SHORT_FORM_DIVISIONS", "one_char_link"]

SHORT_FORM_DIVISIONS: dict[str, str] = {
    form: code for form, code, _forms, _marked in lexicon.keyed_rows(lexicon.PACKAGE_LEXICONS / "short_form_divisions.txt")
}
ALIAS_CONFIDENCE = 0.95  # as the resolver's alias links


def one_char_link(gazetteer, key: str) -> Link | None:  # noqa: ANN001 - pipeline.gazetteers.Gazetteer
    """The division (or else country) a one-character place form names, or None."""
    config = gazetteer.config
    code = config.county_code if key == config.one_char_form else SHORT_FORM_DIVISIONS.get(key, "")
    entry = gazetteer.by_id(f"div:{code}") if code else None
    if entry is not None:
        return Link(entry.entity_id, entry.canonical, "alias", ALIAS_CONFIDENCE, kind=entry.kind,
                    division_code=entry.division_code, parent_id=entry.parent_id)
    country = single_form(key)
    if country is None:
        return None
    return Link(f"country:{country.code}", country.name, "alias", ALIAS_CONFIDENCE, kind="country")
