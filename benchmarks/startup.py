"""Start-up time: from a fresh Python process to the first analysed article, for bf16 (where the CPU runs it), int8
and fp32, and the `stancesum analyze` command end to end on the seed article.

    .venv/bin/python benchmarks/startup.py [--repeats 3] [--threads 2]

Each measurement is a new process (nothing warm but the OS file cache; the ONNX exports are made once beforehand and
cached, as they are after a user's first run). Prints the median over the repeats and the ratio fp32 / each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_4934cb18e678b5bb.txt"
TARGETS = ["NATO troops deployed to Ukraine", "supplying weapons to Ukraine"]
SCRIPT = """
import time, sys
start = time.perf_counter()
from stancesum import Analyzer
analyzer = Analyzer.from_pretrained(precision=sys.argv[1], threads=int(sys.argv[2]))
loaded = time.perf_counter()
result = analyzer.analyze(open(sys.argv[3], encoding="utf-8").read(), targets=sys.argv[4:])
done = time.perf_counter()
print(f"{loaded - start:.3f} {done - loaded:.3f} {len(result.sentences)}")
"""


def python_run(precision: str, threads: int) -> tuple[float, float, float]:
    """(wall seconds of the whole process, seconds to import + load, seconds for the first article)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, precision, str(threads), str(SEED), *TARGETS],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.split()
    return time.perf_counter() - start, float(out[0]), float(out[1])


def cli_run(precision: str, threads: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("stancesum")),
            "analyze",
            str(SEED),
            "--precision",
            precision,
            "--threads",
            str(threads),
            *[a for t in TARGETS for a in ("-t", t)],
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from stancesum.inference.analyzer import resolve_precision
    from stancesum.models.labeler_config import DEFAULT_MODEL_DIR
    from stancesum.models.onnx_labeler import GRAPHS, exported

    precisions = [p for p in GRAPHS if p == "int8" or resolve_precision("auto") == "bf16"] + ["fp32"]
    for precision in precisions[:-1]:
        exported(DEFAULT_MODEL_DIR, precision)
    rows = {}
    for precision in precisions:
        python_runs = [python_run(precision, args.threads) for _ in range(args.repeats)]
        rows[precision] = {
            "process_to_first_article_s": statistics.median(r[0] for r in python_runs),
            "import_and_load_s": statistics.median(r[1] for r in python_runs),
            "first_article_s": statistics.median(r[2] for r in python_runs),
            "cli_analyze_seed_s": statistics.median(cli_run(precision, args.threads) for _ in range(args.repeats)),
        }
    print(json.dumps(rows, indent=2))
    print(f"default precision here: {resolve_precision('auto')}")
    fp32 = rows["fp32"]
    for precision, row in rows.items():
        ratio = fp32["cli_analyze_seed_s"] / row["cli_analyze_seed_s"]
        print(
            f"{precision}: Analyzer.from_pretrained + first article (import, load, analyze) "
            f"{row['import_and_load_s'] + row['first_article_s']:.2f} s (whole process "
            f"{row['process_to_first_article_s']:.2f} s); stancesum analyze on the seed article "
            f"{row['cli_analyze_seed_s']:.2f} s (fp32 / this: {ratio:.2f}x)"
        )


if __name__ == "__main__":
    main()
