"""``pinghu-ner correct``: record a correction, checked against the tables, and apply it now.

Why validated here and not only when applied: a correction naming an id that does not exist
would be stored, apply to nothing, and be reported stale by ``check`` long after the typo; here
the analyst gets one line at once, with the ids that look like what they meant.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.parser import UsageError
from pipeline.ingest import printable

if TYPE_CHECKING:
    import pandas as pd

_NEEDS = {"merge": 2, "link": 2, "relabel": 2, "drop": 1, "alias": 2, "remove": 1, "list": 0}


def cmd_correct(args: argparse.Namespace) -> int:
    from pipeline.store import Store
    from pipeline.store.corrections import CORRECTIONS_FILE, CorrectionError, Corrections, touched_by, update

    out = Path(args.out)
    if not (out / "manifest.json").is_file():
        raise UsageError(f"{printable(out)}: not an outputs directory (run `pinghu-ner run` first)")
    store = Store(out)
    store.check_layout()
    path = out / CORRECTIONS_FILE
    need = _NEEDS.get(args.action)
    if (need is not None and len(args.args) != need) or (args.action == "split" and not args.args):
        raise UsageError(f"correct {args.action}: takes {need if need is not None else '1 or more'} argument(s), "
                         f"got {len(args.args)} (pinghu-ner correct --help)")
    try:
        fixes = Corrections.read(path)
        if args.action == "list":
            _list(fixes)
            return 0
        if args.action == "remove":
            gone = update(out, lambda now: now.without(args.args[0]))
            again = touched_by(out, gone.id)
            _apply(store, args)
            print(f"pinghu-ner: {gone.describe()} removed from {printable(path)}")
            if again:
                print("pinghu-ner: the rows it changed stay changed until their sources are run again: "
                      f"pinghu-ner run {' '.join(again)} --out {printable(out)}")
            return 0
        fields = _checked(args, store)  # against the tables, outside the lock: reading them takes a while
        new = update(out, lambda now: now.added(*fields))
    except CorrectionError as exc:
        raise UsageError(str(exc)) from None
    n = _apply(store, args)
    print(f"pinghu-ner: {new.describe()} recorded in {printable(path)}; {n} source(s) corrected, "
          "entities and offices rebuilt")
    return 0


def _apply(store, args: argparse.Namespace) -> int:  # noqa: ANN001 - pipeline.store.Store
    from pipeline.gazetteers import load_gazetteer

    n = len(store.reapply_corrections())
    store.rebuild_derived(load_gazetteer(args.gazetteer))
    return n


def _list(fixes) -> None:  # noqa: ANN001 - Corrections
    if not fixes:
        print("no corrections")
    for c in fixes.rows:
        extra = f"  [{c.name}]" if c.name else ""
        note = f"  # {c.note}" if c.note else ""
        print(f"{c.id}  {c.created}  {c.describe()}{extra}{note}")


def _checked(args: argparse.Namespace, store) -> tuple[str, str, str, str, str, str]:  # noqa: ANN001
    """(action, target, value, name, type, note) of the new correction, every id checked."""
    tables = store.load()
    entities, mentions = tables.entities, tables.mentions
    a = args.args
    if args.action in ("merge", "link", "alias"):
        src = _entity(entities, a[0])
        if args.action == "alias":
            return "alias", a[0], a[1], str(src.canonical), str(src.type), args.note
        if args.action == "link":
            if not a[0].startswith("nil:"):
                raise UsageError(f"correct link: {a[0]} is not a nil: id (use merge to move a linked entity)")
            from pipeline.gazetteers import load_gazetteer

            entry = load_gazetteer(args.gazetteer).by_id(a[1])
            if entry is None:
                hint = f" (did you mean div:{a[1]}?)" if a[1].isdigit() else " (ids as in entities.entity_id: div:…, org:…)"
                raise UsageError(f"correct link: {a[1]} is not in the gazetteer {printable(args.gazetteer)}{hint}")
            if entry.type != src.type:
                raise UsageError(f"correct link: {a[0]} is a {src.type}, {a[1]} a {entry.type}")
            return "link", a[0], a[1], str(entry.canonical), str(entry.type), args.note
        into = _entity(entities, a[1])
        if into.type != src.type:
            raise UsageError(f"correct merge: {a[0]} is a {src.type}, {a[1]} a {into.type} (relabel the mentions first)")
        return "merge", a[0], a[1], str(into.canonical), str(into.type), args.note
    from pipeline.store.corrections import TYPES, mention_key

    keys = mentions.mention_id.astype(str).map(mention_key)
    rows = []
    for m in a[:1] if args.action in ("relabel", "drop") else a:
        hit = mentions[keys == mention_key(m)]
        if hit.empty:
            raise UsageError(f"correct {args.action}: no mention {m} in {printable(store.out_dir)} "
                             "(mentions.mention_id; its :TYPE may be left off)")
        rows.append(hit.iloc[0])
    target = ";".join(mention_key(m) for m in (a[:1] if args.action in ("relabel", "drop") else a))
    if args.action == "relabel":
        if a[1] not in TYPES:
            raise UsageError(f"correct relabel: type {a[1]!r} is none of {', '.join(TYPES)}")
        return "relabel", target, a[1], "", a[1], args.note
    if args.action == "drop":
        return "drop", target, "", "", str(rows[0].type), args.note
    types = {str(r.type) for r in rows}
    if len(types) > 1:
        raise UsageError(f"correct split: the mentions are of different types ({', '.join(sorted(types))})")
    return "split", target, args.as_id, args.name or str(rows[0].surface), types.pop(), args.note


def _entity(entities: pd.DataFrame, ident: str):  # noqa: ANN202 - a row of entities
    hit = entities[entities.entity_id.astype(str) == ident]
    if not hit.empty:
        return hit.iloc[0]
    like = entities[entities.canonical.astype(str) == ident]
    hint = (f"; {ident} is {', '.join(like.entity_id.astype(str).head(5))}" if not like.empty else
            " (entities.entity_id; `pinghu-ner export` or pipeline.load() lists them)")
    raise UsageError(f"no entity {ident}{hint}")
