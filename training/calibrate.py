"""Tune the stance prior on 'none' of an already trained model on the seed dev split, and refresh its card.

    python -m stancesum.training.calibrate MODEL_DIR

New training runs do this themselves (training.trainer.train); this is for a model trained before.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from stancesum.models.articles_io import atomic_write_text, load_articles
from stancesum.models.labeler import CONFIG_FILE, SentenceLabeler
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import load_split_ids, seed_articles
from stancesum.training.model_card import write_model_card
from stancesum.training.run import RECORD_FILE
from stancesum.training.trainer import dev_scores, tune_none_bias


def calibrate(model_dir: Path) -> dict:
    record = json.loads((model_dir / RECORD_FILE).read_text(encoding="utf-8"))
    args = TrainingArguments(**{**record["arguments"], "init_from": None, "extra_data": []})
    labeler = SentenceLabeler.from_pretrained(model_dir)
    dev = seed_articles(args, "dev", labeler.schema)
    bias = tune_none_bias(labeler, dev)
    record["calibrated"] = {"stance_none_bias": bias, **dev_scores(labeler, dev)}
    test_ids = load_split_ids(args.splits_path)["test"]
    record["test"] = dev_scores(
        labeler, [a for a in load_articles(args.seeds_path, labeler.schema) if a.id in test_ids]
    )
    atomic_write_text(model_dir / CONFIG_FILE, json.dumps(labeler.config.to_dict(), indent=2) + "\n")
    atomic_write_text(model_dir / RECORD_FILE, json.dumps(record, indent=2) + "\n")
    write_model_card(model_dir, record, record["arguments"], labeler.schema, record["test"])
    return record


if __name__ == "__main__":
    result = calibrate(Path(sys.argv[1]))
    print(json.dumps({"calibrated": result["calibrated"], "test": result["test"]}, indent=2))
