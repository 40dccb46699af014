"""``python -m bench.long_lines [--sizes 1,3,10,30]``: does a one-line file cost linear time?

Why (issue 33): an OCR export can come as one huge line, no paragraph breaks, and a 30 MB one
once never finished (1 MB 10.8 s, 3 MB 30 s, 10 MB 292 s).  This builds, per size N (MB of
UTF-8), one plain-text file of People's Daily 1998 sentences (``bench.sentences``) joined with
no newline at all, named ``2024-01-DD.txt`` (the date comes from the name), and runs the real
command (``pinghu-ner run FILE --out TMP --quiet``) on it, one size at a time, each under its
own ``/usr/bin/time -v`` (or a fresh Python wrapper reading ``RUSAGE_CHILDREN``) so the peak
RSS is that size's own.  Figures: wall seconds, seconds per MB, peak RSS, and each size's time
÷ the 3 MB one's (linear: 10× for 30 MB).  The machine's load average is recorded
too, since these boxes are shared.  Results go to ``bench/results/long-lines-*.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import RESULTS, RUSAGE_WRAPPER, sentences

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
def build_line(n_bytes: int, seed: int = 0) -> str:
    """Sentences drawn at random (seeded) and joined until the UTF-8 text reaches n_bytes; no newline."""
    rng = random.Random(seed)
    pool = sentences("pd1998")
    parts: list[str] = []
    size = 0
    while size < n_bytes:
        s = rng.choice(pool)
        parts.append(s)
        size += len(s.encode("utf-8"))
    return "".join(parts)


def run_one(path: Path, out: Path) -> dict[str, float]:
    """Run the CLI on ``path`` in a fresh process; wall seconds, peak RSS (MB) and exit code."""
    cli = [str(ROOT / ".venv" / "bin" / "pinghu-ner"), "run", str(path), "--out", str(out), "--quiet"]
    if Path("/usr/bin/time").exists():
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", *cli], capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        rss_kb = next(int(line.split(":")[1]) for line in p.stderr.splitlines() if "Maximum resident" in line)
        rc = p.returncode
        err = p.stderr
    else:
        p = subprocess.run([sys.executable, "-c", RUSAGE_WRAPPER, *cli], capture_output=True, text=True)
        rc_s, sec_s, rss_s, _cpu = p.stderr.strip().splitlines()[-1].split()
        rc, seconds, rss_kb, err = int(rc_s), float(sec_s), int(rss_s), p.stderr
    out = {"rc": rc, "seconds": round(seconds, 2), "peak_rss_mb": round(rss_kb / 1024, 1)}
    if rc != 0:
        tail = [line for line in err.splitlines() if not line.startswith("\t")][-20:]  # less time -v's report
        print("\n".join(tail), file=sys.stderr)
        out["error"] = "\n".join(tail)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.long_lines", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,3,10,30", help="MB per file, comma-separated (default: 1,3,10,30)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary files and outputs")
    args = ap.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="long-lines-"))
    rows = []
    for i, size in enumerate(sizes, 1):
        text = build_line(int(size * MB), seed=i)
        path = work / f"2024-01-{i:02d}.txt"
        path.write_text(text, encoding="utf-8")
        load = os.getloadavg()[0]
        r = run_one(path, work / f"out-{i}")
        row = {"mb": size, "bytes": path.stat().st_size, "chars": len(text), "load_before": round(load, 2), **r}
        row["seconds_per_mb"] = round(r["seconds"] / size, 2)
        rows.append(row)
        print(f"{size:>6g} MB  {len(text):>10,} chars  {r['seconds']:>8.1f} s  {row['seconds_per_mb']:>6.2f} s/MB"
              f"  {r['peak_rss_mb']:>7.0f} MB RSS  rc={r['rc']}  load {load:.2f}", flush=True)
    by = {r["mb"]: r for r in rows}
    ratio = {f"{m:g}MB/3MB": round(by[m]["seconds"] / by[3.0]["seconds"], 2) for m in by if 3.0 in by and m != 3.0}
    result = {"when": dt.datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(), "rows": rows,
              "ratio_to_3mb": ratio}
    RESULTS.mkdir(exist_ok=True)
    dest = RESULTS / f"long-lines-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    dest.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("ratios:", ratio, "->", dest)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(r["rc"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
