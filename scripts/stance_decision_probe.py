"""Post-hoc stance decision probes on the selection splits (seed dev + ood_dev), no retraining: what a second prior
(on `against`, beside the none prior) or the average of two models' probabilities would do to stance macro-F1.

    python scripts/stance_decision_probe.py models/default [OTHER_MODEL_DIR]

Reads only dev and ood_dev (training.examples.seed_articles refuses test and ood_test). Prints each split's gold
counts and confusion matrix at the model's own calibration, the best (none, against) prior pair on the mean of the
two splits, and, with a second model, the best none prior for the mean of both models' probabilities.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score

from stancesum.models.labeler import SentenceLabeler
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import seed_articles
from stancesum.training.trainer import gold_stance_pairs, predict_gold_stances

SPLITS = ("dev", "ood_dev")
GRID = np.arange(-2.0, 3.01, 0.25)


def raw_probabilities(model_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float]:
    """(favor, against, none) probabilities without the none prior, gold label indices, and the model's prior."""
    labeler = SentenceLabeler.from_pretrained(model_dir)
    prior, labeler.config.stance_none_bias = labeler.config.stance_none_bias, 0.0
    probs, gold = {}, {}
    for split in SPLITS:
        articles = seed_articles(TrainingArguments(), split, labeler.schema)
        pairs = gold_stance_pairs(articles)
        probs[split] = predict_gold_stances(labeler, pairs)
        gold[split] = np.array([labeler.schema.stance_index(p.label) for p in pairs])
    return probs, gold, prior


def macro_f1(probs: np.ndarray, gold: np.ndarray, none_bias: float, against_bias: float = 0.0) -> float:
    shifted = probs * np.exp([0.0, against_bias, none_bias])
    return float(f1_score(gold, shifted.argmax(1), average="macro", labels=[0, 1, 2]))


def mean_f1(probs: dict[str, np.ndarray], gold: dict[str, np.ndarray], none_bias: float, against: float = 0.0):
    return float(np.mean([macro_f1(probs[s], gold[s], none_bias, against) for s in SPLITS]))


def main() -> None:
    first, *other = (Path(p) for p in sys.argv[1:])
    probs, gold, prior = raw_probabilities(first)
    for split in SPLITS:
        shifted = probs[split] * np.exp([0.0, 0.0, prior])
        print(
            f"{split}: gold favor/against/none {np.bincount(gold[split], minlength=3).tolist()}, "
            f"macro-F1 {macro_f1(probs[split], gold[split], prior):.4f} at the model's none prior {prior:+.2f}"
        )
        print(confusion_matrix(gold[split], shifted.argmax(1), labels=[0, 1, 2]))
    print(f"mean over {'+'.join(SPLITS)} at the model's calibration: {mean_f1(probs, gold, prior):.4f}")
    best = max((mean_f1(probs, gold, n, a), n, a) for n in GRID for a in GRID)
    print(f"best (none, against) priors: {best[1]:+.2f}, {best[2]:+.2f} -> {best[0]:.4f}")
    if other:
        second, _, _ = raw_probabilities(other[0])
        mixed = {s: (probs[s] + second[s]) / 2 for s in SPLITS}
        best_mix = max((mean_f1(mixed, gold, n), n) for n in GRID)
        print(f"mean of {first} and {other[0]}: best none prior {best_mix[1]:+.2f} -> {best_mix[0]:.4f}")


if __name__ == "__main__":
    main()
