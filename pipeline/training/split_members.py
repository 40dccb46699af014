"""Split an exported two-member ensemble graph into its members (``pipeline.model.members``).

    python -m pipeline.training.split_members MODEL_DIR

Why: the runtime reads the second member only where the first is unsure, so it needs each
member's network on its own.  ``export_onnx`` writes one graph whose output is the weighted sum of
the members' log-softmax outputs; this cuts out each member's sub-graph (onnx's extractor: the
nodes between its inputs and its log-softmax, weights untouched, so an int8 graph stays the same
int8 graph), reads the two weights from the sum's constants, and writes ``model.onnx`` (the first
member), ``second.onnx`` and ``members.json`` in place of the ensemble graph.  Run on the shipped
model once (2026-12-07); ``save_pipeline`` runs it on every new ensemble.

Each member's graph also gets a ``lengths`` input wired into its LSTM's ``sequence_lens``
(``pipeline.model.batching.wire_lengths``): the runtime then reads texts of neighbouring lengths
in padded batches.  Given a component already split, the command wires only that (how the shipped
members got it, 2026-12-07, night).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.model.batching import LENGTHS, wire_lengths
from pipeline.model.lstm_tagger import FACTORY, input_names
from pipeline.model.members import MEMBERS_FILE, SECOND_FILE, write_weights

LSTM_OPS = {"LSTM", "DynamicQuantizeLSTM"}  # the float export's and the int8 one's


def member_graphs(ensemble: Path) -> list[tuple[list[str], str, float]]:
    """Each member's (inputs, log-softmax output, weight), in the graph's order: the final
    ``Add`` of two ``Mul``s of a ``LogSoftmax`` by a constant."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(ensemble)).graph
    made_by = {out: node for node in graph.node for out in node.output}
    consts = {i.name: float(numpy_helper.to_array(i)) for i in graph.initializer if not i.dims}
    consts.update({n.output[0]: float(numpy_helper.to_array(n.attribute[0].t)) for n in graph.node
                   if n.op_type == "Constant" and not n.attribute[0].t.dims})
    total = made_by[graph.output[0].name]
    if total.op_type != "Add":  # one member: its log-softmax is the output
        return []
    used_by = _inputs_used(graph)
    out = []
    for term in total.input:
        mul = made_by[term]
        soft, const = (mul.input if mul.input[0] in made_by and made_by[mul.input[0]].op_type == "LogSoftmax"
                       else mul.input[::-1])
        out.append(([i for i in (x.name for x in graph.input) if i in used_by[soft]], soft, round(consts[const], 6)))
    return out


def _inputs_used(graph: object) -> dict[str, set[str]]:
    """For each value, the graph inputs it depends on."""
    inputs = {i.name for i in graph.input}  # type: ignore[attr-defined]
    deps: dict[str, set[str]] = {name: {name} for name in inputs}
    for node in graph.node:  # type: ignore[attr-defined]  # topological order
        need = set().union(*(deps.get(i, set()) for i in node.input if i))
        for o in node.output:
            deps[o] = need
    return deps


def split(ensemble: Path, component: Path) -> tuple[float, float]:
    """Write the members of ``ensemble`` into ``component`` (module docstring); the weights."""
    import onnx
    import onnx.utils

    members = member_graphs(ensemble)
    if len(members) != 2:  # an ensemble here is two members (``pipeline.model.members``)
        raise ValueError(f"{ensemble}: {len(members)} members, not 2")
    for (names, soft, _w), name in zip(members, ("model.onnx", SECOND_FILE)):
        if names != input_names("softword" in names, "lex_word" in names):
            raise ValueError(f"{ensemble}: member inputs {names} are not a tagger's")
        with tempfile.TemporaryDirectory() as tmp:
            part = Path(tmp) / name
            onnx.utils.extract_model(str(ensemble), str(part), names, [soft])
            model = onnx.load(str(part))
        for node in model.graph.node:
            node.output[:] = ["logp" if o == soft else o for o in node.output]
        model.graph.output[0].name = "logp"
        _wire(model)
        onnx.save(model, str(component / name))
    weights = (members[0][2], members[1][2])
    write_weights(component / MEMBERS_FILE, weights)
    return weights


def _wire(model: object) -> bool:
    """The member's ``lengths`` input wired into its LSTM (``wire_lengths``), so that the runtime
    reads texts of neighbouring lengths in padded batches (``lstm_tagger.PADDED_BATCH``); False
    for a graph that has the input already or no LSTM to tell (the runtime then batches texts of
    equal length only)."""
    if LENGTHS in {i.name for i in model.graph.input}:  # type: ignore[attr-defined]
        return False
    return wire_lengths(model, LENGTHS, LSTM_OPS) > 0


def with_lengths(path: Path) -> bool:
    """``_wire`` the tagger graph at ``path`` in place; whether it was rewritten."""
    import onnx

    model = onnx.load(str(path))
    if not _wire(model):
        return False
    onnx.save(model, str(path))
    return True


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model_dir", type=Path, help="a model directory whose component holds an ensemble model.onnx, "
                    "or members already split (then only the length input is wired into those that lack it)")
    args = ap.parse_args(argv)
    component = args.model_dir / FACTORY
    if not member_graphs(component / "model.onnx"):
        rewritten = [p.name for p in (component / "model.onnx", component / SECOND_FILE) if p.exists() and with_lengths(p)]
        print(f"{component}: lengths wired into {', '.join(rewritten) or 'nothing (already there)'}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        ensemble = Path(tmp) / "ensemble.onnx"
        ensemble.write_bytes((component / "model.onnx").read_bytes())
        weights = split(ensemble, component)
    print(f"{component}: model.onnx and {SECOND_FILE}, weights {weights[0]:g} / {weights[1]:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
