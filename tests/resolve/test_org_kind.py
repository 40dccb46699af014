"""The learned organisation kind (issue 31): the shipped artefact, its calls on county-paper names it
never saw, and that it has the shape the training command writes."""

from __future__ import annotations

import json
import time

import pytest

from pipeline.resolve.org_kind import (
    KINDS,
    MODEL_PATH,
    features,
    load_model,
    org_kind,
    org_kind_scores,
    prepare,
)
from pipeline.training.corpora import corpus_path

# Invented or county-paper names, none of them a training string (checked below where the corpus
# is at hand): the model must read the kind from the name's shape, not remember the name.
EXPECTED = {
    "浙江某某新材料有限公司": "company",
    "海宁市某某纺织品有限公司": "company",
    "平湖农商银行新埭支行": "company",
    "某某科技": "company",
    "嘉兴拓远汽车科技有限公司": "company",
    "平湖市发展和改革局": "agency",
    "海盐县发展和改革局": "agency",
    "中共平湖市委宣传部": "agency",
    "嘉兴港区管理委员会": "agency",
    "新仓镇人民政府": "agency",
    "桐乡市人民检察院": "agency",
    "平湖市实验小学": "organisation",
    "当湖高级中学": "organisation",
    "平湖中学": "organisation",
    "平湖市书法家协会": "organisation",
}


def test_the_artefact_loads_with_its_training_record() -> None:
    model = load_model()
    assert len(model.index) > 1000 and model.weights.shape == (len(model.index), len(KINDS))
    record = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["training"]
    assert record["command"].startswith("python -m pipeline.training.org_kind")
    assert set(record["heldout_accuracy"]) >= {*KINDS, "balanced", "n"}
    assert record["cluener_dev_accuracy"]["balanced"] > 0.85


@pytest.mark.parametrize("name,kind", sorted(EXPECTED.items()))
def test_kind_of_a_name_never_trained_on(name: str, kind: str) -> None:
    assert org_kind(name) == kind


def test_the_test_names_are_not_training_strings() -> None:
    if not corpus_path("cluener-train").is_file():
        pytest.skip("CLUENER2020 not beside the repo")
    from pipeline.training.org_kind import training_strings

    record = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["training"]
    trained = {name for name, _ in training_strings(gazetteer=record["gazetteer"])}
    assert len(trained) > 2000
    assert [n for n in EXPECTED if prepare(n) in trained] == []


def test_scores_are_probabilities_whose_best_is_the_kind() -> None:
    scores = org_kind_scores("浙江某某新材料有限公司")
    assert set(scores) == set(KINDS) and sum(scores.values()) == pytest.approx(1.0)
    assert max(scores, key=scores.__getitem__) == "company"


def test_features_are_ngrams_and_endings_of_the_normalised_name() -> None:
    f = features("（平湖）有限公司")  # full-width brackets read as half-width ones
    assert "g:^(" in f and "g:平湖" in f and "g:有限公" in f
    assert {"s:司", "s:公司", "s:限公司", "s:有限公司"} <= set(f)
    assert features("Yahoo") == features("yahoo")
    assert features("") == [] and org_kind("") == "organisation"


def test_it_is_fast() -> None:
    names = [f"{n}{i}" for i in range(500) for n in ("某某科技", "平湖市教育局", "实验小学")]
    org_kind(names[0])
    t0 = time.perf_counter()
    for n in names:
        org_kind(n)
    assert time.perf_counter() - t0 < 1.0  # 1,500 names; about 90k names/s on a laptop core


def test_the_artefact_has_the_shape_the_trainer_writes(tmp_path) -> None:
    pytest.importorskip("sklearn")
    from pipeline.training.org_kind import train

    data = [(f"{p}{s}", kind) for kind, suffixes in (("company", ("有限公司", "银行", "科技")),
                                                      ("agency", ("人民政府", "公安局", "管理委员会")),
                                                      ("organisation", ("中学", "协会", "大学")))
            for s in suffixes for p in ("东湖", "西山", "南塘", "北港")]
    out = tmp_path / "org_kind.json"
    record = train(data, data[:6], out, grid=(("nb", 0.3, 1),))
    written, shipped = (json.loads(p.read_text(encoding="utf-8")) for p in (out, MODEL_PATH))
    assert set(written) == set(shipped)
    assert set(written["training"]) <= set(shipped["training"]) and set(record) == set(written["training"])
    assert all(len(w) == len(KINDS) for w in written["weights"].values())
    assert load_model(out).predict("南山有限公司") == "company"
