"""Model soups (Wortsman et al. 2022): the weights of labelers fine-tuned from the same base encoder (other seeds, or
recipes that differ in data or settings but not in architecture or schema), averaged into one model of the same size
and speed, scored on the selection splits (seed dev + ood_dev), no retraining. For every soup the none prior and
topic smoothing are tuned again on the same splits, as training does.

    python scripts/soup_probe.py RUN_DIR RUN_DIR ... [--greedy | --uniform-only] [--save OUTPUT_DIR]

Each ingredient alone, then the uniform soup of all; with --greedy, then the ingredients sorted by their own
selection score, each added only if the soup's score does not fall (the greedy soup). Reads only dev and ood_dev
(training.examples.seed_articles refuses test and ood_test). With --save, writes the last soup printed (calibrated as
printed) to OUTPUT_DIR.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from stancesum.models.labeler import SentenceLabeler
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import seed_articles
from stancesum.training.trainer import selection_scores, tune_none_bias, tune_topic_smoothing


def weights(labeler: SentenceLabeler) -> dict[str, torch.Tensor]:
    return {k: v.float().clone() for k, v in labeler.state_dict().items()}


def soup(labeler: SentenceLabeler, ingredients: list[dict[str, torch.Tensor]]) -> None:
    with torch.no_grad():
        labeler.load_state_dict({k: torch.stack([w[k] for w in ingredients]).mean(0) for k in ingredients[0]})


def score(labeler: SentenceLabeler, splits: dict, name: str) -> float:
    started = time.time()
    none_bias, smoothing = tune_none_bias(labeler, splits), tune_topic_smoothing(labeler, splits)
    s = selection_scores(labeler, splits)
    print(
        f"{name}: score {s['score']:.4f} | dev stance {s['dev']['stance_macro_f1']:.4f} topic "
        f"{s['dev']['topic_accuracy']:.4f} | ood_dev stance {s['ood_dev']['stance_macro_f1']:.4f} topic "
        f"{s['ood_dev']['topic_accuracy']:.4f} | none prior {none_bias:+.2f}, smoothing {smoothing:.2f} "
        f"({time.time() - started:.0f} s)",
        flush=True,
    )
    return s["score"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", type=Path, nargs="+")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--greedy", action="store_true")
    mode.add_argument("--uniform-only", action="store_true", help="skip scoring each ingredient alone")
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    labeler = SentenceLabeler.from_pretrained(args.runs[0])
    splits = {s: seed_articles(TrainingArguments(), s, labeler.schema) for s in ("dev", "ood_dev")}
    ingredients = {args.runs[0]: weights(labeler)}  # copies: soup() overwrites the labeler's own weights
    ingredients |= {run: weights(SentenceLabeler.from_pretrained(run)) for run in args.runs[1:]}
    alone = {}
    for run, w in [] if args.uniform_only else ingredients.items():
        soup(labeler, [w])
        alone[run] = score(labeler, splits, f"{run} alone")
    soup(labeler, list(ingredients.values()))
    score(labeler, splits, f"uniform soup of {len(ingredients)}")
    if args.greedy:
        order = sorted(ingredients, key=lambda r: -alone[r])
        chosen, best = [order[0]], alone[order[0]]
        for run in order[1:]:
            soup(labeler, [ingredients[r] for r in [*chosen, run]])
            trial = score(labeler, splits, f"greedy soup {[str(r) for r in chosen]} + {run}")
            if trial >= best:
                chosen, best = [*chosen, run], trial
        soup(labeler, [ingredients[r] for r in chosen])
        score(labeler, splits, f"greedy soup of {len(chosen)}: {[str(r) for r in chosen]}")
    if args.save:
        from safetensors import safe_open

        with safe_open(args.runs[0] / "encoder_delta.safetensors", "pt") as delta:
            changed = set(delta.keys())  # what the recipe trained
        labeler.save_pretrained(args.save, changed=changed)
        print(f"saved to {args.save}")


if __name__ == "__main__":
    main()
