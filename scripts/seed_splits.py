"""Make seeds/splits.json: whole source families held out for out-of-domain evaluation, the rest split by article.

    python scripts/seed_splits.py [--tries 20000] [--seed 20261201]

- ood_test: every article of the Wikinews 2005-2009 collection (the `Docma-TU/tosca` batch of ../shared/news): a
  year range and a collection no training article comes from. Never trained on, never used to select anything.
- ood_dev: every article of the U.S. Department of State press statements: an outlet no training article comes
  from, used (with dev) to select checkpoints, priors and data mixes for news the model has not seen.
- train / dev / test: the other articles (Wikinews 2019-2020, GUM's Wikinews, White House texts, the user's
  article). Articles already assigned in the previous splits file keep their split (the user's article stays in
  test); new ones are split about 70/15/15, stratified: of many seeded random splits, the one whose topic and
  favor/against label shares are closest to the target shares.
- round-4 articles (the round-3 summary-only texts, labeled later: scripts/seed_round4.py) go to train only: the
  committed summarizer was trained on their summaries, so no evaluation split may hold them.
The families were fixed before any model was run on these articles (scripts/seed_select.py).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from stancesum.models.articles_io import atomic_write_text, load_articles
from stancesum.models.schema import DEFAULT_TOPICS

REPO = Path(__file__).resolve().parents[1]
HELD_OUT_FAMILIES = {"Docma-TU/tosca": "ood_test", "State-Department-PR": "ood_dev"}  # source substring -> split
SHARES = {"train": 0.7, "dev": 0.15, "test": 0.15}


def label_counts(article) -> list[float]:
    topics = [sum(s.topic == t for s in article.sentences) for t in DEFAULT_TOPICS]
    sides = [sum(v == side for s in article.sentences for v in s.stance.values()) for side in ("favor", "against")]
    return topics + sides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tries", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    path = REPO / "seeds" / "splits.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    articles = load_articles(REPO / "seeds" / "articles.jsonl")
    split_of = {i: k for k in ("train", "dev", "test", "ood_dev", "ood_test") for i in previous.get(k, [])}
    out: dict[str, list[str]] = {k: [] for k in ("train", "dev", "test", "ood_dev", "ood_test")}
    free = []
    for a in articles:
        family = next((s for sub, s in HELD_OUT_FAMILIES.items() if sub in (a.source or "")), None)
        if family:
            out[family].append(a.id)
        elif a.id in split_of:
            out[split_of[a.id]].append(a.id)
        elif (a.annotation or {}).get("round") == 4:
            out["train"].append(a.id)
        else:
            free.append(a)
    counts = np.array([label_counts(a) for a in free], float)
    totals = np.maximum(counts.sum(0), 1)
    n_dev, n_test = round(len(free) * SHARES["dev"]), round(len(free) * SHARES["test"])
    rng, best, best_cost = random.Random(args.seed), None, np.inf
    for _ in range(args.tries):
        order = list(range(len(free)))
        rng.shuffle(order)
        parts = {"test": order[:n_test], "dev": order[n_test : n_test + n_dev], "train": order[n_test + n_dev :]}
        cost = sum((((counts[idx].sum(0) / totals) - SHARES[k]) ** 2).sum() for k, idx in parts.items())
        if cost < best_cost:
            best, best_cost = parts, cost
    for k, idx in (best or {}).items():
        out[k] += [free[i].id for i in idx]
    description = (
        "Article-level splits of seeds/articles.jsonl (scripts/seed_splits.py). ood_test: all Wikinews 2005-2009 "
        "articles (Docma-TU/tosca collection); ood_dev: all U.S. State Department statements; neither family is ever "
        "trained on, and ood_test is never used to select anything. train/dev/test: the other sources; round-1 "
        f"articles keep their earlier split, round-2 ones are split about 70/15/15, stratified (seed {args.seed}, "
        f"{args.tries} tries); round-4 articles (summary-only texts labeled later, whose summaries the summarizer "
        "trained on) are train only. Training reads train, and dev + ood_dev for model selection only."
    )
    atomic_write_text(
        path, json.dumps({"description": description, **{k: sorted(v) for k, v in out.items()}}, indent=1) + "\n"
    )
    for k, v in out.items():
        print(f"{k}: {len(v)} articles")


if __name__ == "__main__":
    main()
