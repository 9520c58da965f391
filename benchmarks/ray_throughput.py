"""Ray Data engine against the single-process run on the same corpus: identical output, and throughput with 1 and
2 workers (on this machine's 2 cores: the engine's overhead rather than a cluster's speed-up).

    .venv/bin/python benchmarks/ray_throughput.py [--articles 1000] [--model models/default]

The corpus is the seed articles' opening sentences under new ids (as benchmarks/analyze_memory.py makes it).
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analyze_memory import corpus

REPO = Path(__file__).resolve().parents[1]


def run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("stancesum")), "analyze", *args], check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "corpus.jsonl"
        corpus(source, args.articles)
        common = [str(source), "--model", args.model, "-f", "jsonl", "--summarizer", "lead"]
        rows = {"local (1 process, 2 threads)": run([*common, "-o", f"{tmp}/local.jsonl", "--threads", "2"])}
        for workers in (1, 2):
            out = f"{tmp}/ray{workers}.jsonl"
            rows[f"ray, {workers} worker(s)"] = run([*common, "-o", out, "--engine", "ray", "--workers", str(workers)])
            same = filecmp.cmp(f"{tmp}/local.jsonl", out, shallow=False)
            print(f"ray with {workers} worker(s): output identical to the local run: {same}")
    for name, seconds in rows.items():
        print(f"{name:<32} {seconds:7.1f} s  {args.articles / seconds:7.1f} articles/s")


if __name__ == "__main__":
    main()
