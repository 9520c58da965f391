"""`stancesum evaluate` and `stancesum benchmark`: scores against gold articles and public benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from stancesum.commands.common import PRECISION_HELP, fail, write_output


def evaluate(
    gold: Annotated[Path, typer.Option(help="Gold articles (JSONL, annotated).")],
    output_dir: Annotated[
        Path, typer.Option(help="Where metrics.json, predictions.jsonl, report.md and report.html go.")
    ],
    model: Annotated[
        Path | None, typer.Option(help="Model directory to predict with (on gold sentences and targets).")
    ] = None,
    predictions: Annotated[Path | None, typer.Option(help="Predicted articles (JSONL) instead of a model.")] = None,
    split: Annotated[
        str | None,
        typer.Option(help="Only the gold articles of this split of --splits (seeds: train/dev/test/ood_dev/ood_test)."),
    ] = None,
    splits: Annotated[
        Path | None, typer.Option(help="Splits file for --split (default: splits.json beside --gold, else the seeds').")
    ] = None,
    baselines: Annotated[bool, typer.Option(help="Score the majority, zero-shot and Lead-3 baselines too.")] = True,
    summarizer: Annotated[
        str, typer.Option(help="With --model: extractive | textrank | pacsum | lead | none.")
    ] = "extractive",
    precision: Annotated[str, typer.Option(help="With --model: " + PRECISION_HELP)] = "auto",
) -> None:
    """Score a labeler or a predictions file, and the baselines, against gold articles; write a report."""
    from stancesum.evaluation.harness import evaluate_gold
    from stancesum.evaluation.report import headline_rows, write_report
    from stancesum.models.article import ArticleFormatError
    from stancesum.models.labeler_config import ModelLoadError

    if (model is None) == (predictions is None):
        fail("give exactly one of --model DIR or --predictions FILE")
    typer.echo(
        f"scoring {model or predictions} against {gold}"
        + (f" (split {split})" if split else "")
        + (" with the majority, zero-shot and Lead-3 baselines (the zero-shot pass takes longest)" if baselines else "")
        + " ...",
        err=True,
    )
    try:
        result = evaluate_gold(
            gold,
            model,
            predictions,
            split,
            splits,
            baselines=baselines,
            precision=precision,
            summarizer=None if summarizer == "none" else summarizer,
        )
    except (ArticleFormatError, ModelLoadError, ValueError) as err:
        fail(str(err))
    write_report(result, output_dir)
    names = list(result.metrics["systems"])
    typer.echo("measure | " + " | ".join(names))
    for row in headline_rows(result.metrics):
        typer.echo(" | ".join(row))
    typer.echo(f"report written to {output_dir / 'report.html'}", err=True)


def benchmark(
    name: Annotated[
        str,
        typer.Argument(
            help="emergent | perspectrum | ibm-claim-stance | vast | seed-summaries | bbc-summary | xsum-val"
        ),
    ],
    split: Annotated[
        str | None,
        typer.Option(help="seed-summaries: test (default) | ood_test | dev | ood_dev; bbc-summary: dev | test."),
    ] = None,
    summarizer_model: Annotated[
        Path | None, typer.Option("--summarizer-model", help="Summary benchmarks: the scorer directory to score.")
    ] = None,
    precision: Annotated[str, typer.Option(help="Stance benchmarks: " + PRECISION_HELP)] = "auto",
    data_dir: Annotated[Path, typer.Option(help="Folder of the public corpora.")] = Path("../shared/data"),
    model: Annotated[Path | None, typer.Option(help="Labeler to score (default: models/default, if trained).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the figures as JSON here.")] = None,
    none_bias: Annotated[
        float | None,
        typer.Option(
            "--none-bias", help="Stance benchmarks: replace the model's calibrated prior on 'none' (0 = as trained)."
        ),
    ] = None,
) -> None:
    """Score the model and the baselines on a public benchmark, beside the published figure."""
    import json

    from stancesum.models.labeler_config import DEFAULT_MODEL_DIR, ModelLoadError, default_model_available

    if not data_dir.is_dir():
        fail(f"{data_dir}: data folder not found (pass --data-dir)")
    if name in ("seed-summaries", "bbc-summary", "xsum-val"):
        from stancesum.evaluation.summary_benchmarks import format_summary_benchmark, run_summary_benchmark

        try:  # the trained summarizer beside Lead-3, Lead / TextRank / PacSum at the same budget
            result = run_summary_benchmark(name, data_dir, split, summarizer_model)
        except (ValueError, ModelLoadError) as err:
            fail(str(err))
        result["command"] = f"stancesum benchmark {name}" + (f" --split {split}" if split else "")
        text = format_summary_benchmark(result)
    else:
        from stancesum.evaluation.stance_benchmarks import (
            STANCE_BENCHMARKS,
            format_stance_benchmark,
            run_stance_benchmark,
        )

        if name not in STANCE_BENCHMARKS:
            fail(
                f"unknown benchmark {name!r}; "
                f"choose one of {', '.join([*STANCE_BENCHMARKS, 'seed-summaries', 'bbc-summary', 'xsum-val'])}"
            )
        if model is None and default_model_available():
            model = DEFAULT_MODEL_DIR
        try:
            result = run_stance_benchmark(name, data_dir, model, none_bias=none_bias, precision=precision)
            result["command"] = f"stancesum benchmark {name}" + (
                f" --none-bias {none_bias}" if none_bias is not None else ""
            )
        except ModelLoadError as err:
            fail(str(err))
        text = format_stance_benchmark(result)
    sys.stdout.write(text)
    if output is not None:
        write_output(json.dumps(result, indent=2) + "\n", output)
