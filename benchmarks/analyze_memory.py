"""Peak memory of `stancesum analyze` as the input grows: a generated corpus of 1,000 and of 10,000 articles (seed
articles' opening sentences under new ids), streamed to a JSONL output. Memory that does not grow with the input
shows as a ratio near 1.

    .venv/bin/python benchmarks/analyze_memory.py [--articles 1000 10000] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def corpus(path: Path, n: int) -> None:
    from stancesum.models.articles_io import load_articles

    seeds = load_articles(REPO / "seeds" / "articles.jsonl")
    with path.open("w", encoding="utf-8") as out:
        for k in range(n):
            a = seeds[k % len(seeds)]
            text = " ".join(s.text for s in a.sentences[:4])
            out.write(json.dumps({"id": f"gen-{k}", "title": a.title, "text": text, "targets": a.targets[:1]}) + "\n")


def peak(n: int, threads: int, tmp: Path) -> dict:
    source, output = tmp / f"in-{n}.jsonl", tmp / f"out-{n}.jsonl"
    corpus(source, n)
    cmd = [
        "/usr/bin/time",
        "-f",
        "%M",
        str(Path(sys.executable).with_name("stancesum")),
        "analyze",
        str(source),
        "-f",
        "jsonl",
        "-o",
        str(output),
        "--threads",
        str(threads),
        "--summarizer",
        "lead",
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    rss_kb = int(done.stderr.strip().splitlines()[-1])
    lines = sum(1 for _ in output.open(encoding="utf-8"))
    return {"articles": n, "written": lines, "peak_rss_mb": rss_kb / 1024, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [peak(n, args.threads, Path(tmp)) for n in args.articles]
    for r in rows:
        print(
            f"{r['articles']:>7} articles: peak RSS {r['peak_rss_mb']:.0f} MB, {r['seconds']:.0f} s "
            f"({r['articles'] / r['seconds']:.1f} articles/s), {r['written']} written"
        )
    print(
        f"peak RSS ratio {rows[-1]['articles']} / {rows[0]['articles']} articles: "
        f"{rows[-1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f}"
    )


if __name__ == "__main__":
    main()
