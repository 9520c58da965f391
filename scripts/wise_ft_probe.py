"""Weight-space ensembles of a fine-tuned labeler and its base encoder (WiSE-FT, Wortsman et al. 2022), scored on the
selection splits (seed dev + ood_dev), no retraining: the encoder's fine-tuned parameters become
alpha * fine-tuned + (1 - alpha) * base, the heads stay, and the none prior and topic smoothing are tuned again on
the same splits for each alpha, as training does.

    python scripts/wise_ft_probe.py models/default [--save ALPHA OUTPUT_DIR]

Reads only dev and ood_dev (training.examples.seed_articles refuses test and ood_test). Prints one line per alpha.
With --save, writes the model at that alpha (calibrated as printed) to OUTPUT_DIR.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from soup_probe import score  # scripts/ is on the path when a script runs

from stancesum.models.labeler import SentenceLabeler
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import seed_articles

ALPHAS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)


@torch.no_grad()
def interpolate(labeler: SentenceLabeler, tuned: dict[str, torch.Tensor], base: dict[str, torch.Tensor], alpha: float):
    labeler.encoder.load_state_dict({k: alpha * tuned[k] + (1 - alpha) * base[k] for k in tuned}, strict=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", type=Path)
    parser.add_argument("--save", nargs=2, metavar=("ALPHA", "OUTPUT_DIR"))
    args = parser.parse_args()
    labeler = SentenceLabeler.from_pretrained(args.model)
    labeler.eval()
    base_encoder = SentenceLabeler.from_base(labeler.config.base_model).encoder.state_dict()
    own = labeler.encoder.state_dict()
    changed = {k for k in own if not torch.equal(own[k], base_encoder[k])}
    tuned = {k: own[k].clone() for k in changed}
    base = {k: base_encoder[k].to(own[k].dtype) for k in changed}
    print(f"{len(changed)} encoder tensors differ from the base")
    splits = {s: seed_articles(TrainingArguments(), s, labeler.schema) for s in ("dev", "ood_dev")}
    alphas = [float(args.save[0])] if args.save else ALPHAS
    for alpha in alphas:
        interpolate(labeler, tuned, base, alpha)
        score(labeler, splits, f"alpha {alpha:.2f}")
    if args.save:
        labeler.save_pretrained(args.save[1], changed=changed)
        print(f"saved to {args.save[1]}")


if __name__ == "__main__":
    main()
