"""How the summarizer's selection ROUGE-1 grows with the number of seed training summaries: trains the committed
recipe on the first N seed train articles (a fixed salted-hash sample, `sources.seeds=N`) for a few seeds and prints
the mean over the selection splits (seed dev + ood_dev) beside Lead-3's. The budget is fixed at the default's 70
words so that only the data changes; XSum's 500 oracle documents stay in every run.

    python scripts/summarizer_learning_curve.py --out runs/summary_curve [--sizes 35 70 140 -1] [--seeds 13 14 15]

About 40 s per run on 2 cores once the sentence vectors are cached. Reads no test split.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from stancesum.training.summarizer_training import SummarizerTrainingArguments, save_model, train_scorer

CONFIG = Path(__file__).resolve().parents[1] / "training" / "configs" / "summarizer.yaml"


def train(size: int, seed: int, out: Path) -> dict:
    """One run's training record (trained unless `out` already holds one)."""
    record = out / "training_record.json"
    if not record.exists():
        overrides = [f"seed={seed}", "threads=2", f"output_dir={out}", f"sources.seeds={size}", "sources.summaries=0"]
        args = SummarizerTrainingArguments.load(CONFIG, [*overrides, "budget_words=70"])
        save_model(train_scorer(args), args)
    return json.loads(record.read_text())


def selection_rouge1(record: dict, system: str) -> float:
    """Mean ROUGE-1 of `system` over the selection splits, as training chose on them."""
    scores = record["scores"]
    return statistics.mean(scores[split][system]["rouge1"] for split in record["arguments"]["selection_splits"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[35, 70, 140, -1])
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    ns = parser.parse_args()
    print("| seed train summaries | selection ROUGE-1 per seed | mean | Lead-3 | mean - Lead-3 |")
    print("|---|---|---|---|---|")
    for size in ns.sizes:
        records = [train(size, seed, ns.out / f"n{size}_s{seed}") for seed in ns.seeds]
        ours = [selection_rouge1(r, "scorer") for r in records]
        lead = selection_rouge1(records[0], "lead-3")
        mean = statistics.mean(ours)
        count = records[0]["documents"]["seeds train"]
        per_seed = " / ".join(f"{x:.2f}" for x in ours)
        print(f"| {count} | {per_seed} | {mean:.2f} | {lead:.2f} | {mean - lead:+.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
