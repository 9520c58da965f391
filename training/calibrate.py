"""Tune the stance prior on 'none' and the topic smoothing of an already trained model on its held-out selection
splits (seed dev and ood_dev), and refresh its card.

    python -m stancesum.training.calibrate MODEL_DIR

New training runs do this themselves (training.trainer.train); this is for a model trained before.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from stancesum.models.articles_io import atomic_write_text
from stancesum.models.labeler import CONFIG_FILE, SentenceLabeler
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import guard_examples, seed_articles
from stancesum.training.model_card import write_model_card
from stancesum.training.run import RECORD_FILE, held_out_test_scores
from stancesum.training.trainer import (
    guarded_scores,
    selection_scores,
    tune_none_bias,
    tune_review_threshold,
    tune_topic_smoothing,
)


def calibrate(model_dir: Path) -> dict:
    record = json.loads((model_dir / RECORD_FILE).read_text(encoding="utf-8"))
    args = TrainingArguments(**{**record["arguments"], "init_from": None, "extra_data": []})
    labeler = SentenceLabeler.from_pretrained(model_dir)
    selection = {name: seed_articles(args, name, labeler.schema) for name in args.selection_splits}
    selection = {name: articles for name, articles in selection.items() if articles}
    guard = guard_examples(args)
    bias = tune_none_bias(labeler, selection, guard=guard, floor=args.guard_floor)
    smoothing = tune_topic_smoothing(labeler, selection)
    threshold = tune_review_threshold(labeler, selection)
    record["calibrated"] = {
        "stance_none_bias": bias,
        "topic_smoothing": smoothing,
        "review_threshold": threshold,
        **selection_scores(labeler, selection),
        **guarded_scores(labeler, guard, args.guard_floor),
    }
    record["test"] = held_out_test_scores(labeler, args)
    atomic_write_text(model_dir / CONFIG_FILE, json.dumps(labeler.config.to_dict(), indent=2) + "\n")
    atomic_write_text(model_dir / RECORD_FILE, json.dumps(record, indent=2) + "\n")
    write_model_card(model_dir, record, record["arguments"], labeler.schema, record["test"])
    return record


if __name__ == "__main__":
    result = calibrate(Path(sys.argv[1]))
    print(json.dumps({"calibrated": result["calibrated"], "test": result["test"]}, indent=2))
