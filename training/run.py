"""A whole training run: train, save the best model with its card and record, score the test split once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from stancesum.models.articles_io import atomic_write_text, load_articles
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import load_split_ids
from stancesum.training.model_card import write_model_card
from stancesum.training.trainer import dev_scores, train

RECORD_FILE = "training_record.json"


def held_out_test_scores(labeler, args: TrainingArguments) -> dict[str, dict]:
    """test and ood_test figures, computed once after every choice is made, for the card; nothing is tuned on them."""
    ids = load_split_ids(args.splits_path)
    articles = load_articles(args.seeds_path, labeler.schema)
    out = {}
    for split in ("test", "ood_test"):
        chosen = [a for a in articles if a.id in ids[split]]
        if chosen:
            out[split] = dev_scores(labeler, chosen)
    return out


def run_training(args: TrainingArguments, progress: bool = True, score_test: bool = True) -> Path:
    out = Path(args.output_dir)
    record = train(args, progress=progress)
    labeler, schema = record.pop("labeler"), record.pop("schema")
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    labeler.save_pretrained(tmp)
    test_scores = held_out_test_scores(labeler, args) if score_test else {}
    record["test"] = test_scores
    write_model_card(tmp, record, args.to_dict(), schema, test_scores)
    atomic_write_text(tmp / RECORD_FILE, json.dumps({"arguments": args.to_dict(), **record}, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)  # the finished directory appears whole, or not at all
    return out
