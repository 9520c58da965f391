"""`stancesum train`: fine-tune the labeler from a config with dotted overrides, or retrain a model on new data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from stancesum.commands.common import fail, parse_overrides


def train(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(help="YAML training config (default: the built-in defaults).")] = None,
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="Labeled article JSONL to train on (repeatable).")
    ] = None,
    from_model: Annotated[
        Path | None, typer.Option("--from", help="Continue from this model directory (retraining, with replay).")
    ] = None,
    output_dir: Annotated[Path | None, typer.Option(help="Where the trained model directory goes.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder of the public corpora (default ../shared/data).")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing output directory (once training is done).")
    ] = False,
    allow_overlap: Annotated[
        bool, typer.Option(help="Train even on --data articles that copy evaluation articles (the card says so).")
    ] = False,
    score_test: Annotated[
        bool, typer.Option(help="Score test and ood_test once after training (off while comparing variants).")
    ] = True,
) -> None:
    """Fine-tune the labeler. Any setting can be overridden: --epochs 2 --stance_sources.fnc1 0."""
    import logging

    from stancesum.training.arguments import ConfigError, load_arguments

    overrides = parse_overrides(ctx.args)
    for key, value in (("output_dir", output_dir), ("init_from", from_model), ("data_dir", data_dir)):
        if value is not None:
            overrides[key] = str(value)
    if data:
        overrides["extra_data"] = "[" + ", ".join(repr(str(p)) for p in data) + "]"
    try:
        args = load_arguments(config, overrides)
    except ConfigError as err:
        fail(f"config: {err}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from stancesum.models.article import ArticleFormatError
    from stancesum.training.new_data import TrainingDataError
    from stancesum.training.run import run_training

    try:
        path = run_training(args, score_test=score_test, overwrite=overwrite, allow_overlap=allow_overlap)
    except (FileExistsError, TrainingDataError, ArticleFormatError) as err:
        fail(str(err))
    typer.echo(f"trained model written to {path} (see {path / 'README.md'})", err=True)
