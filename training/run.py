"""A whole training run: check the new data, train, save the best model with its card and record (written to a
temporary directory and renamed into place when complete), score the test splits once."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from stancesum.models.articles_io import atomic_write_text, load_articles
from stancesum.models.labeler import SentenceLabeler
from stancesum.models.schema import LabelSchema
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import load_split_ids
from stancesum.training.model_card import data_sha256, retraining_verdict, write_model_card
from stancesum.training.new_data import DataReport, check_new_data
from stancesum.training.trainer import dev_scores, extended_schema, train

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


def prepare_run(args: TrainingArguments, overwrite: bool = False, allow_overlap: bool = False) -> DataReport:
    """Every check that can fail before training starts: the output directory, then the new data."""
    out = Path(args.output_dir)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out}: output directory exists; pass --overwrite to replace it")
    base = LabelSchema.load(args.init_from) if args.init_from else LabelSchema()
    return check_new_data(args, extended_schema(args, base), allow_overlap)


def run_training(
    args: TrainingArguments,
    progress: bool = True,
    score_test: bool = True,
    overwrite: bool = False,
    allow_overlap: bool = False,
) -> Path:
    out = Path(args.output_dir)
    report = prepare_run(args, overwrite, allow_overlap)
    # before training reads the files, so a later edit cannot blur the card; --data files as the check read them
    hashes = data_sha256(args.to_dict(), {f["path"]: f["sha256"] for f in report.files})
    record = train(args, progress=progress, skip=report.skip)
    if int(os.environ.get("RANK", "0")) != 0:  # under `accelerate launch`/torchrun every process trains; one saves
        return out
    labeler: SentenceLabeler = record.pop("labeler")
    schema = record.pop("schema")
    record["data"] = report.to_dict()
    record["data_sha256"] = hashes
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    tmp.chmod(0o755)  # mkdtemp makes it private; a model directory is for sharing
    try:
        labeler.save_pretrained(tmp)
        record["test"] = held_out_test_scores(labeler, args) if score_test else {}
        write_model_card(tmp, record, args.to_dict(), schema, record["test"])
        atomic_write_text(tmp / RECORD_FILE, json.dumps({"arguments": args.to_dict(), **record}, indent=2) + "\n")
        replace_directory(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if record.get("retraining"):
        logging.getLogger(__name__).warning(retraining_verdict(record["retraining"]))
    return out


def replace_directory(new: Path, target: Path) -> None:
    """Put the complete directory `new` at `target`; an existing `target` is kept until the new one is in place."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        old.rmdir()
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old)
