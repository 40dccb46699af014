"""Training-data preparation: corpus readers, convention harmonisation, augmentation, DocBins.

These run on small inline fixtures, not on ../shared/corpora, so they pin down the conversion
rules themselves (a wrong offset here silently teaches the model wrong boundaries).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.training.augment import NAME_NOTES, name_lists
from pipeline.training.corpora import (
    MISSING,
    Example,
    cluener_split,
    entity_labels,
    entity_strings,
    harmonise_cluener,
    read_corpus,
    read_msra,
    read_pd1998,
)

PD_LINE = (
    "19980101-01-001-001/m  中/j  美/j  两国/n  在/p  会议/n  中/f  同意/v  ，/w  "
    "[国务院/nt  新闻/n  办公室/n]nt  主任/n  赵/nr  启正/nr  访问/v  美国/ns  。/w\n"
)


def _pd(tmp_path: Path, text: str = PD_LINE) -> Path:
    path = tmp_path / "pd.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _surfaces(ex: Example) -> list[tuple[str, str]]:
    return [(ex.text[s:e], label) for s, e, label in ex.spans]


def test_pd1998_entities_and_bracketed_compound(tmp_path: Path) -> None:
    [ex] = list(read_pd1998(_pd(tmp_path)))
    assert ex.text.startswith("中美两国在会议中同意，国务院新闻办公室主任赵启正访问美国。")
    assert _surfaces(ex) == [("国务院新闻办公室", "ORG"), ("赵启正", "PERSON"), ("美国", "PLACE")]


def test_pd1998_unsure_abbreviations_become_missing_only_for_nominal_tags(tmp_path: Path) -> None:
    [ex] = list(read_pd1998(_pd(tmp_path), unsure={"中", "美", "会议"}))
    missing = [(ex.text[s:e], s) for s, e, label in ex.spans if label == MISSING]
    # 中/j and 美/j are abbreviations; 会议/n a noun; 中/f ("in") is a locative and stays outside.
    assert missing == [("中", 0), ("美", 1), ("会议", 5)]
    assert ("国务院新闻办公室", "ORG") in _surfaces(ex)


def test_pd1998_words_holding_an_unsure_name_become_missing_and_settled_types_win(tmp_path: Path) -> None:
    """朱德思想/n keeps a name inside one noun (the other corpus marks the name): no supervision
    there rather than a lesson that the name is no entity.  A name the other corpus settles on
    another type (东盟: ORG there, ns here) takes that type, a bracketed compound too."""
    line = ("19980101-01-001-002/m  学习/v  朱德思想/n  ，/w  东盟/ns  和/c  "
            "[北京/ns  军区/n]nt  在/p  北京/ns  。/w\n")
    [ex] = list(read_pd1998(_pd(tmp_path, line), unsure={"朱德", "北京"},
                            labels={"东盟": "ORG", "北京军区": "PLACE"}))
    assert _surfaces(ex) == [("朱德思想", MISSING), ("东盟", "ORG"), ("北京军区", "PLACE"), ("北京", "PLACE")]
    [plain] = list(read_pd1998(_pd(tmp_path, line)))
    assert _surfaces(plain) == [("东盟", "PLACE"), ("北京军区", "ORG"), ("北京", "PLACE")]


def test_entity_labels_keep_only_settled_types() -> None:
    text = "东盟东盟东盟两岸两岸两岸"
    rows = [Example(text, ((0, 2, "ORG"), (2, 4, "ORG"), (4, 6, "PLACE"), (6, 8, "PLACE"), (8, 10, "ORG"),
                           (10, 12, "PLACE")))]
    assert entity_labels(rows, min_count=3, share=0.6) == {"东盟": "ORG", "两岸": "PLACE"}
    assert entity_labels(rows, min_count=3, share=0.8) == {}
    assert entity_labels(rows, min_count=4, share=0.5) == {}


def test_entity_strings_counts_annotations_not_missing() -> None:
    rows = [Example("中美中美", ((0, 1, "PLACE"), (1, 2, "PLACE"), (2, 3, "PLACE"), (3, 4, MISSING)))]
    assert entity_strings(rows, min_count=2) == {"中"}
    assert entity_strings(rows, min_count=1) == {"中", "美"}


def test_read_msra_bio(tmp_path: Path) -> None:
    path = tmp_path / "msra.txt"
    rows = ["中\tB-LOC", "美\tB-LOC", "会\tO", "谈\tO", "，\tO", "江\tB-PER", "泽\tI-PER", "民\tI-PER", "", "Ａ\tO", ""]
    path.write_text("\n".join(rows), encoding="utf-8")
    first, second = list(read_msra(path))
    assert _surfaces(first) == [("中", "PLACE"), ("美", "PLACE"), ("江泽民", "PERSON")]
    assert second.text == "A"  # width-normalised, one character for one


def test_name_lists_label_every_name_and_only_names() -> None:
    src = [Example("王小明和李华参加了会议", ((0, 3, "PERSON"), (4, 6, "PERSON"))),
           Example("欧阳春晓发言", ((0, 4, "PERSON"),))]
    names = {"王小明", "李华", "欧阳春晓"}
    lists = list(name_lists(src, n=50, seed=3))
    assert len(lists) == 50
    for ex in lists:
        assert ex.spans and all(label == "PERSON" for _, _, label in ex.spans)
        assert all(ex.text[s:e] in names for s, e, _ in ex.spans)
        rest = ex.text
        for s, e, _ in sorted(ex.spans, reverse=True):
            rest = rest[:s] + rest[e:]
        for note in NAME_NOTES:
            rest = rest.replace(note, "")
        assert set(rest) <= {" ", "、"}, rest  # nothing but separators and notes is left
    assert any(" " not in ex.text and "、" not in ex.text for ex in lists)  # OCR-lost separators
    assert any("、" in ex.text for ex in lists)


def test_name_lists_need_person_names() -> None:
    assert list(name_lists([Example("平湖市", ((0, 3, "PLACE"),))])) == []


def test_docbin_marks_missing_tokens_unknown(tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    from pipeline.training.cnn import _docbin

    ex = Example("中美会谈，王小明出席", ((0, 1, MISSING), (1, 2, "PLACE"), (5, 8, "PERSON"), (5, 6, MISSING)))
    assert _docbin([ex], tmp_path / "x.spacy") == 1
    [doc] = list(DocBin().from_disk(tmp_path / "x.spacy").get_docs(spacy.blank("zh").vocab))
    assert [t.ent_iob_ for t in doc] == ["", "B", "O", "O", "O", "B", "I", "I", "O", "O"]
    assert [(e.text, e.label_) for e in doc.ents] == [("美", "PLACE"), ("王小明", "PERSON")]


def test_tagger_gold_tags_bioes_and_missing() -> None:
    from pipeline.model.lstm_tagger import TAGS
    from pipeline.training.tagger import IGNORE, gold_tags

    ex = Example("中美会谈王小明出席", ((0, 1, MISSING), (1, 2, "PLACE"), (4, 7, "PERSON")))
    names = [("-" if t == IGNORE else TAGS[t]) for t in gold_tags(ex)]
    assert names == ["-", "S-PLACE", "O", "O", "B-PERSON", "I-PERSON", "E-PERSON", "O", "O"]


def test_tagger_pieces_cut_after_punctuation_never_inside_an_entity() -> None:
    from pipeline.training.tagger import pieces

    text = ("平湖市发展和改革局，" * 30)[:-1]
    spans = tuple((i * 10, i * 10 + 9, "ORG") for i in range(30))
    cut = pieces(Example(text, spans), max_len=50)
    assert "".join(t for t, _ in cut) == text
    assert all(len(t) <= 50 for t, _ in cut)
    assert all(t.endswith("，") for t, _ in cut[:-1])
    assert sum(len(y) for _, y in cut) == len(text)


def test_harmonise_cluener_leaves_unmapped_types_and_msra_names_open() -> None:
    """CLUENER's O is not MSRA's O: a scene it marks and a country it leaves unmarked become
    MISSING (no loss), gold spans stay, and nothing is marked twice."""
    text = "美国游客在西湖边遇见张三和美国公司"
    ex = Example(text, ((10, 12, "PERSON"), (13, 17, "ORG")), "cluener", ((5, 7),))
    [out] = harmonise_cluener([ex], unsure={"美国", "西湖", "张三"})
    got = [(text[s:e], label) for s, e, label in out.spans]
    assert got == [("美国", MISSING), ("西湖", MISSING), ("张三", "PERSON"), ("美国公司", "ORG")]
    [plain] = harmonise_cluener([Example("今天下雨", ())], unsure={"美国"})
    assert plain.spans == ()


def test_cluener_split_is_fixed_and_disjoint() -> None:
    part, held = cluener_split()
    again_part, again_held = cluener_split()
    assert [e.text for e in held] == [e.text for e in again_held] and len(held) == 2500
    everything = sorted(e.text for e in read_corpus("cluener-train"))
    assert sorted(e.text for e in [*part, *held]) == everything  # a partition: nothing lost or doubled


def test_sentences_as_documents_keep_every_span_on_its_characters() -> None:
    """MSRA test read as documents (``msra-test-docs``): consecutive sentences joined up to the
    limit, a longer sentence alone; spans and ignored regions land on the same characters."""
    from pipeline.training.corpora import as_documents

    rows = [Example("张三在北京。", ((0, 2, "PERSON"), (3, 5, "PLACE")), "msra"),
            Example("李四去上海。", ((0, 2, "PERSON"), (3, 5, "PLACE")), "msra", ((3, 5),)),
            Example("很长的一句话，没有名字，比界限还长。", (), "msra"),
            Example("王五。", ((0, 2, "PERSON"),), "msra")]
    docs = list(as_documents(rows, limit=12))
    assert [d.text for d in docs] == ["张三在北京。李四去上海。", "很长的一句话，没有名字，比界限还长。", "王五。"]
    joined = [(d.text[a:b], lab) for d in docs for a, b, lab in d.spans]
    assert joined == [("张三", "PERSON"), ("北京", "PLACE"), ("李四", "PERSON"), ("上海", "PLACE"), ("王五", "PERSON")]
    assert [docs[0].text[a:b] for a, b in docs[0].ignore] == ["上海"]
