"""Registered recognition passes with declared requires/provides, and the plan that orders them.

Like spaCy's factories (``requires``/``assigns``) and Stanza's processors (``requires`` /
``provides``): every step of the recognise stage — the proposers, the vote, each repair, titles,
roles — registers under a name with the document fields it reads and the fields it fills.  A
``[recognize]`` config section lists the passes by name (``recognize.cfg``); ``Plan`` checks
before any text is read that every pass finds what it needs, so switching a pass off for an
ablation either runs or fails at once with a one-line message, never half-way through a corpus.

A pass is a function of one ``RecognitionDoc`` and the stage's ``Context`` that edits the
document in place; a ``batch`` pass (the proposers, which run models over many texts at once)
takes the list of documents instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.recognize.document import FIELDS, RecognitionDoc

DocPass = Callable[[RecognitionDoc, Any], None]
BatchPass = Callable[[list[RecognitionDoc], Any], None]


class PassConfigError(ValueError):
    """A ``[recognize]`` pass list that cannot run: unknown name, or a requirement unmet."""


@dataclass(frozen=True)
class PassSpec:
    name: str
    func: Callable[..., None]
    requires: frozenset[str]
    provides: frozenset[str]
    batch: bool = False
    doc: str = ""  # the first line of the pass's docstring: what it does (ablation tables show it)

    def run(self, docs: list[RecognitionDoc], ctx: Any) -> None:
        if self.batch:
            self.func(docs, ctx)
            return
        for d in docs:
            self.func(d, ctx)


PASSES: dict[str, PassSpec] = {}


def register_pass(
    name: str, *, requires: Iterable[str] = (), provides: Iterable[str] = (), batch: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register ``func`` as the pass ``name``; re-registering a name replaces it (tests do)."""
    req, prov = frozenset(requires), frozenset(provides)
    unknown = (req | prov) - set(FIELDS)
    if unknown:
        raise PassConfigError(f"pass {name!r}: unknown document fields {sorted(unknown)}; known: {FIELDS}")

    def deco(func: Callable[..., None]) -> Callable[..., None]:
        first = (func.__doc__ or "").strip().splitlines()
        PASSES[name] = PassSpec(name, func, req, prov, batch, first[0] if first else "")
        return func

    return deco


@dataclass(frozen=True)
class Plan:
    """The passes of one configuration, in order, checked against their declared requirements.

    ``for_articles`` is the whole list; ``for_texts`` drops the passes that need an article
    (bylines, titles, roles), which is what corpus sentences are scored on.
    """

    passes: tuple[PassSpec, ...]

    @classmethod
    def build(cls, names: Sequence[str], disable: Sequence[str] = (), inputs: Iterable[str] = ("text",)) -> Plan:
        """The passes ``names`` less ``disable``, checked given the document fields ``inputs``
        (plus ``article`` for the article plan)."""
        unknown = [n for n in (*names, *disable) if n not in PASSES]
        if unknown:
            raise PassConfigError(f"unknown recognise pass(es) {unknown}; registered: {', '.join(sorted(PASSES))}")
        not_listed = [n for n in disable if n not in names]
        if not_listed:
            raise PassConfigError(f"cannot disable {not_listed}: not in this configuration's passes")
        plan = cls(tuple(PASSES[n] for n in names if n not in set(disable)))
        plan._check(plan.passes, {*inputs, "article"})
        plan._check(plan.for_texts, set(inputs))
        return plan

    @property
    def for_articles(self) -> tuple[PassSpec, ...]:
        return self.passes

    @property
    def for_texts(self) -> tuple[PassSpec, ...]:
        return tuple(p for p in self.passes if "article" not in p.requires)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.passes)

    @staticmethod
    def _check(passes: Sequence[PassSpec], available: set[str]) -> None:
        have = set(available)
        for p in passes:
            missing = p.requires - have
            if missing:
                raise PassConfigError(
                    f"recognise pass {p.name!r} requires {sorted(missing)}, which no earlier pass provides"
                )
            have |= p.provides

    def run(self, docs: list[RecognitionDoc], ctx: Any, articles: bool) -> None:
        for p in self.for_articles if articles else self.for_texts:
            p.run(docs, ctx)

    def run_named(self, names: Sequence[str], docs: list[RecognitionDoc], ctx: Any) -> None:
        """Only the passes named (calibration proposes once and votes many times)."""
        for p in self.passes:
            if p.name in names:
                p.run(docs, ctx)
