"""The tagger's second member, read only where the first is unsure (issue 34).

Why: the shipped tagger is two BiLSTMs whose log-probabilities are averaged (member A, the
corpora, weight 0.7; member B, lexicon rows and county-level copies, weight 0.3: the model card).
Reading every character with both cost the default a third of its time, yet where member A's best
tag is near certain at every character of a clause, B's 0.3 share of the average almost never
changes the decoded tags there.  So A reads every text whole, and B reads only the clauses (up to
``unit`` characters, cut after a clause stop) where some character's probability from A is below
``below``, each run of such clauses read with ``context`` characters on either side (a clause
read alone loses what B knows from its surroundings: docs/speed.md); there the two are averaged
with the trained weights, elsewhere A's log-probabilities stand alone.  The same cascade as the recognise stage's LAC gate
(``pipeline/recognize/gate.py``), one level down, inside the tagger, so that the spaCy component
and the pipeline's direct path read alike.

``below`` above 1 with ``unit`` 0 reads every text whole with both members: the ensemble as
trained, bit for bit (``tests/recognize/test_second_member.py``).

A component directory holds ``model.onnx`` (member A, a complete tagger by itself) and, for an
ensemble, ``second.onnx`` (member B) and ``members.json`` (the weights, which training chose);
``below``, ``unit`` and ``context`` are the component's settings in the model's ``config.cfg``
(``second_below``, ``second_unit``, ``second_context``); a recognise preset may override them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SECOND_FILE = "second.onnx"
MEMBERS_FILE = "members.json"
# The clause stops a clause is cut after (those of the recognise stage's pieces, and the line end).
_STOP = re.compile(r"[。！？；，、 \n]")
# Chosen by `python -m bench.second_sweep` on MSRA dev and the CLUENER held-out part (docs/speed.md).
DEFAULT_BELOW = 0.95
DEFAULT_UNIT = 40
DEFAULT_CONTEXT = 20


@dataclass(frozen=True)
class SecondMember:
    """The second network of an ensemble and where it reads (module docstring)."""

    onnx_bytes: bytes
    weights: tuple[float, float]  # the first member's weight, the second's (they sum to 1)
    below: float = DEFAULT_BELOW  # read clauses where some character's first-member confidence is below this
    unit: int = DEFAULT_UNIT  # the clause length; 0: whole texts
    context: int = DEFAULT_CONTEXT  # characters read on either side of a stretch of unsure clauses

    @property
    def everywhere(self) -> bool:
        """Both members read every text whole: the trained ensemble itself."""
        return self.below > 1 and self.unit == 0


def is_ensemble(component: Path) -> bool:
    """Whether a component directory holds an ensemble: either file of the second member there
    (a directory with one but not the other is a broken copy, which reading both then says)."""
    return (component / SECOND_FILE).exists() or (component / MEMBERS_FILE).exists()


def read_weights(path: Path) -> tuple[float, float]:
    """The two weights of ``members.json``."""
    return weights_from(json.loads(path.read_text(encoding="utf-8")))


def weights_from(raw: object) -> tuple[float, float]:
    """The two weights of ``members.json``'s parsed content; ``ValueError`` saying what is wrong."""
    weights = raw.get("weights") if isinstance(raw, dict) else None
    if (not isinstance(weights, list) or len(weights) != 2
            or not all(isinstance(w, int | float) and 0 < w < 1 for w in weights)
            or abs(sum(weights) - 1) > 1e-6):
        raise ValueError("field 'weights' is not two numbers between 0 and 1 that sum to 1")
    return float(weights[0]), float(weights[1])


def write_weights(path: Path, weights: Sequence[float]) -> None:
    path.write_text(json.dumps({"weights": [float(w) for w in weights]}, indent=2) + "\n", encoding="utf-8")


def clauses(text: str, unit: int) -> list[tuple[int, int]]:
    """[start, end) clauses that tile ``text``, each at most ``unit`` characters, cut after the
    last clause stop past a quarter of ``unit`` (otherwise at ``unit``); ``unit`` 0: the text."""
    n = len(text)
    if unit <= 0 or n <= unit:
        return [(0, n)] if n else []
    stops = [m.end() for m in _STOP.finditer(text)]
    out: list[tuple[int, int]] = []
    start, k = 0, 0
    while start < n:
        end = min(n, start + unit)
        if end < n:
            while k < len(stops) and stops[k] <= end:
                k += 1
            if k and stops[k - 1] >= start + unit // 4:
                end = stops[k - 1]
        out.append((start, end))
        start = end
    return out


def second_reads(text: str, logp: np.ndarray, second: SecondMember) -> list[tuple[int, int, int, int]]:
    """What the second member reads of ``text``, given the first member's ``logp``: (read start,
    read end, own start, own end) per stretch.  A stretch is a run of neighbouring unsure clauses
    (their log-probabilities are averaged: the own range), read with up to ``context`` characters
    on either side so that the second member sees a clause with what surrounds it, as it does
    when it reads the whole text; stretches whose reads would overlap are read as one."""
    n = len(text)
    if second.everywhere:
        return [(0, n, 0, n)] if n else []
    top = logp.max(-1)
    floor = math.log(second.below) if 0 < second.below <= 1 else (math.inf if second.below > 1 else -math.inf)
    runs: list[list[int]] = []
    for s, e in clauses(text, second.unit):
        if top[s:e].min() < floor:
            if runs and runs[-1][1] == s:
                runs[-1][1] = e
            else:
                runs.append([s, e])
    out: list[tuple[int, int, int, int]] = []
    for s, e in runs:
        rs, re_ = max(0, s - second.context), min(n, e + second.context)
        if out and rs <= out[-1][1]:  # reads overlap: one read, one own range
            prev = out.pop()
            rs, s = prev[0], prev[2]
        out.append((rs, re_, s, e))
    return out
