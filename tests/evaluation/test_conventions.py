"""Corpus gold read under the printed-form conventions (王先生 whole, no place inside 华人)."""

from __future__ import annotations

from pipeline.evaluation.conventions import printed_forms
from pipeline.training.corpora import Example


def test_surname_with_honorific_becomes_the_printed_person() -> None:
    ex = printed_forms(Example("邓先生说，王明来了。", ((0, 1, "PERSON"), (5, 7, "PERSON"))))
    assert ex.spans == ((0, 3, "PERSON"), (5, 7, "PERSON"))
    assert ex.ignore == ()


def test_a_form_inside_a_word_is_ignored_not_gold() -> None:
    ex = printed_forms(Example("海外华人和美国朋友", ((2, 3, "PLACE"), (5, 7, "PLACE"))))
    assert ex.spans == ((5, 7, "PLACE"),)
    assert ex.ignore == ((2, 3),)


def test_an_unannotated_honorific_person_is_ignored() -> None:
    """CLUENER leaves 张先生 unannotated: neither a prediction of it nor its absence counts."""
    ex = printed_forms(Example("对于张先生所称的情况", ()))
    assert ex.ignore == ((2, 5),)
