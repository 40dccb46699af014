"""Corpus gold read under the project's printed-form conventions, beside the strict score.

Why: MSRA and People's Daily annotate 王 of 王先生 as the person and 华 of 华人 / 港 of 港人 as a place;
the project's guidelines (tests/data/gold/GUIDELINES.md, "Printed forms") and the county pages by
another annotator take the person as printed (王先生) and leave a one-character form inside a word
unannotated (沪籍).  Neither reading is wrong, so ``make eval`` reports both: the strict score on the
corpus as released, and this one, where

* a one-character PERSON followed by an honorific (``person_honorifics``) becomes the whole
  printed form (王 + 先生 → 王先生), and
* a one-character PLACE that forms a word with the character after it (华人, 港人, 台商, 法籍, 日寇,
  奥运; ``word_forming_suffixes``) is put in the example's ignore regions: a prediction there is
  neither right nor wrong;
* a surname + honorific printed where the gold has no person (CLUENER leaves 王先生, 郑阿姨
  unannotated) is an ignore region too: the corpus does not say who it is, the convention does.

The mapping reads only the gold and two word lists, never a recogniser's output, so it cannot
agree with the system by construction.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline import lexicons as lexicon
from pipeline.training.corpora import Example

HONORIFICS = tuple(sorted(lexicon.entries("person_honorifics"), key=len, reverse=True))
WORD_FORMING = lexicon.load("word_forming_suffixes")
_PRINTED_PERSON = re.compile(
    "[" + "".join(sorted(lexicon.entries("surnames"))) + "](?:" + "|".join(map(re.escape, HONORIFICS)) + ")")


def printed_forms(example: Example) -> Example:
    """``example`` with its gold read under the printed-form conventions (see the module)."""
    text = example.text
    spans: list[tuple[int, int, str]] = []
    ignore = list(example.ignore)
    for s, e, label in example.spans:
        if label == "PERSON" and e - s == 1:
            tail = next((h for h in HONORIFICS if text.startswith(h, e)), "")
            spans.append((s, e + len(tail), label))
        elif label == "PLACE" and e - s == 1 and text[e : e + 1] in WORD_FORMING:
            ignore.append((s, e))
        else:
            spans.append((s, e, label))
    people = [(s, e) for s, e, label in spans if label == "PERSON"]
    ignore += [(m.start(), m.end()) for m in _PRINTED_PERSON.finditer(text)
               if not any(s < m.end() and m.start() < e for s, e in people)]
    return replace(example, spans=tuple(spans), ignore=tuple(ignore))
