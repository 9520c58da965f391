"""Build seeds/summaries/summaries.jsonl from the reviewed summary round (issue 11) and report its agreement study.

    python scripts/summary_merge.py --round seeds/annotation/round3

Reads the texts from ../shared/news (selection in ROUND/selection.json), the reviewed summaries
(ROUND/review/reviewed_NN.jsonl; a `drop` line drops the text) and, for the agreement study, the blind second
summaries (ROUND/agreement/blind_summaries.jsonl) against the first writers' ones (ROUND/first_pass/). Writes the
article records (text and provenance as in ../shared/news, the reviewed summary, an `annotation` record) through a
temporary file, and prints the figures that seeds/README.md quotes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from stancesum.evaluation.summary_benchmarks import per_document_rouge1
from stancesum.models.articles_io import atomic_write_text
from stancesum.models.bootstrap import bootstrap_ci

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "news"
KEEP = ("id", "title", "source", "date", "url", "license", "text")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round", type=Path, default=REPO / "seeds" / "annotation" / "round3")
    parser.add_argument("--out", type=Path, default=REPO / "seeds" / "summaries" / "summaries.jsonl")
    args = parser.parse_args()
    ids = json.loads((args.round / "selection.json").read_text(encoding="utf-8"))["ids"]
    texts = {r["id"]: r for name in ("articles.jsonl", "articles_more.jsonl") for r in read_jsonl(NEWS / name)}
    first = {r["id"]: r for p in sorted((args.round / "first_pass").glob("summaries_*.jsonl")) for r in read_jsonl(p)}
    reviewed = {r["id"]: r for p in sorted((args.round / "review").glob("reviewed_*.jsonl")) for r in read_jsonl(p)}
    blind = {r["id"]: r for r in read_jsonl(args.round / "agreement" / "blind_summaries.jsonl")}
    missing = [i for i in ids if i not in reviewed]
    if missing:
        raise SystemExit(f"{len(missing)} selected texts have no reviewed line, e.g. {missing[0]}")
    records, dropped, rewritten = [], [], 0
    for i in ids:
        final = reviewed[i]
        if "drop" in final:
            dropped.append((i, final["drop"]))
            continue
        rewritten += "summary" in first.get(i, {}) and first[i]["summary"].strip() != final["summary"].strip()
        records.append(
            {
                **{k: texts[i][k] for k in KEEP},
                "summary": final["summary"].strip(),
                "annotation": {
                    "round": 3,
                    "task": "summary only",
                    "guidelines": "v3 §5, §8",
                    "by": "AI helper session (writer), one per batch",
                    "reviewed": True,
                    "reviewed_by": "a second, independent AI helper session per batch",
                    "blind_second_summary": i in blind,
                },
            }
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    words = [len(r["summary"].split()) for r in records]
    print(f"{len(records)} summaries written to {args.out}; {len(dropped)} dropped; {rewritten} rewritten in review")
    print(f"summary length: mean {np.mean(words):.1f} words (min {min(words)}, max {max(words)})")
    for i, why in dropped:
        print(f"  dropped {i}: {why}")
    both = [i for i in blind if "summary" in blind[i] and "summary" in reviewed[i] and "summary" in first.get(i, {})]
    pairs = [(first[i]["summary"], blind[i]["summary"]) for i in both]
    final_pairs = [(reviewed[i]["summary"], blind[i]["summary"]) for i in both]
    for name, p in (("first writer vs blind writer", pairs), ("reviewed vs blind writer", final_pairs)):
        point, low, high = bootstrap_ci(
            100 * per_document_rouge1([a for a, _ in p], [b for _, b in p]), lambda s: float(np.mean(s))
        )
        print(f"agreement ({name}), ROUGE-1 F x100 over {len(p)} texts: {point:.2f} [{low:.2f}, {high:.2f}]")
    differ = [i for i in blind if ("drop" in blind[i]) != ("drop" in reviewed[i])]
    print(f"drop decisions that differ between the blind writer and the final file: {len(differ)} of {len(blind)}")


if __name__ == "__main__":
    main()
