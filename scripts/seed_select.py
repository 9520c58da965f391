"""Choose the texts for the second annotation round (issue 9), deterministically, before any labels exist.

    python scripts/seed_select.py --out work/selection.json

Every article not yet in seeds/ is a candidate. Per source family a fixed number is drawn round-robin over
the rough `topic` pre-sort of ../shared/news (so that rare topics are reached first), in a seeded random
order within each pre-sort label. The families and what they are for:

- Wikinews 2005-2009 (the `Docma-TU/tosca` batch)  -> ood_test: a year range and collection that seeds/ lacks
- U.S. Department of State press statements       -> ood_dev: an outlet that seeds/ lacks, for model selection
- Wikinews 2019-2020, GUM (Wikinews 2006-2018), White House -> in-domain train / dev / test

The held-out families were fixed here, before any model was run on them.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "news"

FAMILIES = {  # provenance repo -> (articles to draw, split family)
    "Docma-TU/tosca": (56, "ood_test"),
    "markschaver/State-Department-PR": (36, "ood_dev"),
    "vanatteveldt/wikinews": (110, "in_domain"),
    "brian14708/wh-briefings": (70, "in_domain"),
    "amir-zeldes/gum": (20, "in_domain"),
}
MAX_SENTENCE_GUESS = 60  # GUM interviews run to 80 short turns: too long for one annotation unit


def round_robin(records: list[dict], n: int, rng: random.Random) -> list[dict]:
    by_topic: dict[str, list[dict]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r["id"]):
        by_topic[r["topic"]].append(r)
    for group in by_topic.values():
        rng.shuffle(group)
    order = sorted(by_topic, key=lambda t: (len(by_topic[t]), t))  # rarest pre-sort label first
    chosen: list[dict] = []
    while len(chosen) < n and any(by_topic.values()):
        for topic in order:
            if by_topic[topic] and len(chosen) < n:
                chosen.append(by_topic[topic].pop())
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    used = {json.loads(line)["id"] for line in (REPO / "seeds" / "articles.jsonl").read_text().splitlines()}
    records = [
        json.loads(line)
        for name in ("articles.jsonl", "articles_more.jsonl")
        for line in (NEWS / name).read_text(encoding="utf-8").splitlines()
    ]
    rng = random.Random(args.seed)
    out: dict[str, list[str]] = defaultdict(list)
    for family, (n, split_family) in FAMILIES.items():
        pool = [
            r
            for r in records
            if r["provenance"]["repo"] == family
            and r["id"] not in used
            and r["text"].count(". ") + r["text"].count("\n") < MAX_SENTENCE_GUESS * 1.5
        ]
        out[split_family] += [r["id"] for r in round_robin(pool, n, rng)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    for k, v in out.items():
        print(f"{k}: {len(v)}")


if __name__ == "__main__":
    main()
