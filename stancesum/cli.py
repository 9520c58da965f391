"""The `stancesum` command line."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated, NoReturn  # noqa: E402

import typer  # noqa: E402

app = typer.Typer(
    name="stancesum", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Label each sentence of news articles with a topic and a stance toward targets, and summarise them.",
)
EXIT_BAD_INPUT = 2


def fail(message: str) -> NoReturn:
    typer.echo(f"stancesum: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def write_output(text: str, output: Path | None) -> None:
    from stancesum.models.articles_io import atomic_write_text

    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(output, text)
        typer.echo(f"wrote {output}", err=True)


def report_failures(failures: list[str]) -> None:
    if failures:
        typer.echo(f"stancesum: {len(failures)} input(s) failed:", err=True)
        for f in failures:
            typer.echo(f"  {f}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def analyze(
    inputs: Annotated[list[str], typer.Argument(help="JSONL article files, .txt files, folders of them, or - for stdin.")],
    target: Annotated[list[str] | None, typer.Option("--target", "-t", help="A target to take stance toward (repeatable). Default: the article's targets, else its headline.")] = None,
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the committed models/default).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json | jsonl | markdown")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=4096, help="Sentences per forward pass.")] = 64,
    summarizer: Annotated[str, typer.Option("--summarizer", "-s", help="extractive (trained, default) | seq2seq | textrank | lead | none")] = "extractive",
    summarizer_model: Annotated[str | None, typer.Option("--summarizer-model", help="Scorer directory (extractive) or seq2seq model directory / hub id.")] = None,
    max_words: Annotated[int | None, typer.Option("--max-words", help="Summary: at most this many words.")] = None,
    max_sentences: Annotated[int | None, typer.Option("--max-sentences", help="Summary: at most this many sentences.")] = None,
    ratio: Annotated[float | None, typer.Option("--ratio", help="Summary: at most this share of the sentences.")] = None,
    balanced: Annotated[bool, typer.Option("--balanced", help="Summary keeps the strongest favor and against sentence of each contested target.")] = False,
) -> None:
    """Label every sentence with a topic and a stance toward each target, and summarise the article."""
    from tqdm import tqdm

    from stancesum.inference.analyzer import Analyzer
    from stancesum.inference.formatting import FORMATS, render
    from stancesum.inference.inputs import InputError, read_inputs
    from stancesum.models.labeler import DEFAULT_MODEL_DIR, ModelLoadError, default_model_available

    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if model is None:
        if not default_model_available():
            fail(f"no trained default model yet ({DEFAULT_MODEL_DIR} holds none); train one with "
                 "`stancesum train` or pass --model DIR. No labels are shown rather than invented ones.")
        model = DEFAULT_MODEL_DIR
    summarize_fn = None
    if summarizer != "none":
        from stancesum.inference.summarizers import build_summarizer

        try:
            summarize_fn = build_summarizer(summarizer, summarizer_model, max_words=max_words, max_sentences=max_sentences,
                                            ratio=ratio, balanced=balanced)
        except (ValueError, ModelLoadError) as err:
            fail(f"summarizer: {err}")
    try:
        analyzer = Analyzer.from_pretrained(model, batch_size=batch_size, summarizer=summarize_fn)
    except ModelLoadError as err:
        fail(str(err))
    items = list(read_inputs(inputs))
    failures = [str(i) for _, i in items if isinstance(i, InputError)]
    articles = [i for _, i in items if not isinstance(i, InputError)]
    source_of = {id(a): where for where, a in items}
    analyses = []
    bar = tqdm(total=len(articles), desc="analyze", unit="article", file=sys.stderr, disable=len(articles) < 2)
    for article, result in zip(articles, analyzer.iter_analyze(articles, target or None)):
        if isinstance(result, InputError):
            failures.append(f"{source_of[id(article)]}: {result.message}")
        else:
            analyses.append(result)
        bar.update(1)
    bar.close()
    if analyses:
        write_output(render(analyses, fmt), output)
    elif not failures:
        fail("no articles in the input")
    report_failures(failures)


@app.command()
def split(
    inputs: Annotated[list[str], typer.Argument(help="JSONL article files, .txt files, folders of them, or - for stdin.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | jsonl")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Split articles into sentences (no model needed); jsonl gives unlabeled articles for annotation."""
    import json

    from stancesum.inference.inputs import InputError, read_inputs
    from stancesum.models.segmentation import SegmentationError, SentenceSplitter

    if fmt not in ("text", "jsonl"):
        fail(f"unknown --format {fmt!r}; choose text or jsonl")
    splitter = SentenceSplitter()
    failures, chunks = [], []
    for where, item in read_inputs(inputs):
        if isinstance(item, InputError):
            failures.append(str(item))
            continue
        try:
            item.sentences = item.sentences or splitter.split(item.text)
        except SegmentationError as err:
            failures.append(f"{where}: {err}")
            continue
        if fmt == "jsonl":
            chunks.append(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
        else:
            chunks.append("".join(f"{k}\t{s.start}:{s.end}\t{s.text}\n" for k, s in enumerate(item.sentences)))
    if chunks:
        write_output("".join(chunks), output)
    report_failures(failures)


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Option(help="Gold articles (JSONL, annotated).")],
    output_dir: Annotated[Path, typer.Option(help="Where metrics.json, predictions.jsonl, report.md and report.html go.")],
    model: Annotated[Path | None, typer.Option(help="Model directory to predict with (on gold sentences and targets).")] = None,
    predictions: Annotated[Path | None, typer.Option(help="Predicted articles (JSONL) instead of a model.")] = None,
    split: Annotated[str | None, typer.Option(help="Only the gold articles of this split (train/dev/test) of --splits.")] = None,
    splits: Annotated[Path, typer.Option(help="Splits file for --split.")] = Path("seeds/splits.json"),
    baselines: Annotated[bool, typer.Option(help="Score the majority, zero-shot and Lead-3 baselines too.")] = True,
    summarizer: Annotated[str, typer.Option(help="With --model: extractive | textrank | lead | none.")] = "extractive",
) -> None:
    """Score a labeler or a predictions file, and the baselines, against gold articles; write a report."""
    from stancesum.evaluation.harness import evaluate_gold
    from stancesum.evaluation.report import headline_rows, write_report
    from stancesum.models.article import ArticleFormatError
    from stancesum.models.labeler import ModelLoadError

    if (model is None) == (predictions is None):
        fail("give exactly one of --model DIR or --predictions FILE")
    try:
        result = evaluate_gold(gold, model, predictions, split, splits, summarizer=None if summarizer == "none" else summarizer)
    except (ArticleFormatError, ModelLoadError, ValueError) as err:
        fail(str(err))
    write_report(result, output_dir)
    names = list(result.metrics["systems"])
    typer.echo("measure | " + " | ".join(names))
    for row in headline_rows(result.metrics):
        typer.echo(" | ".join(row))
    typer.echo(f"report written to {output_dir / 'report.html'}", err=True)


@app.command()
def benchmark(
    name: Annotated[str, typer.Argument(help="emergent | perspectrum | ibm-claim-stance | vast | bbc-summary | xsum-val")],
    data_dir: Annotated[Path, typer.Option(help="Folder of the public corpora.")] = Path("../shared/data"),
    model: Annotated[Path | None, typer.Option(help="Labeler to score (default: models/default, if trained).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the figures as JSON here.")] = None,
    none_bias: Annotated[float | None, typer.Option("--none-bias", help="Stance benchmarks: replace the model's calibrated prior on 'none' (0 = as trained).")] = None,
) -> None:
    """Score the model and the baselines on a public benchmark, beside the published figure."""
    import json

    from stancesum.models.labeler import DEFAULT_MODEL_DIR, ModelLoadError, default_model_available

    if not data_dir.is_dir():
        fail(f"{data_dir}: data folder not found (pass --data-dir)")
    if name in ("bbc-summary", "xsum-val"):
        from stancesum.evaluation.summary_benchmarks import format_summary_benchmark, run_summary_benchmark

        result = run_summary_benchmark(name, data_dir)  # Lead-3, TextRank and the trained summarizer
        text = format_summary_benchmark(result)
    else:
        from stancesum.evaluation.stance_benchmarks import STANCE_BENCHMARKS, format_stance_benchmark, run_stance_benchmark

        if name not in STANCE_BENCHMARKS:
            fail(f"unknown benchmark {name!r}; choose one of {', '.join([*STANCE_BENCHMARKS, 'bbc-summary', 'xsum-val'])}")
        if model is None and default_model_available():
            model = DEFAULT_MODEL_DIR
        try:
            result = run_stance_benchmark(name, data_dir, model, none_bias=none_bias)
        except ModelLoadError as err:
            fail(str(err))
        text = format_stance_benchmark(result)
    sys.stdout.write(text)
    if output is not None:
        write_output(json.dumps(result, indent=2) + "\n", output)


def parse_overrides(extra: list[str]) -> dict[str, str]:
    """`--a.b value` / `--a.b=value` pairs left over by the CLI, as dotted settings."""
    out: dict[str, str] = {}
    i = 0
    while i < len(extra):
        token = extra[i]
        if not token.startswith("--"):
            fail(f"unexpected argument {token!r}; overrides look like --epochs 2 or --stance_sources.fnc1 0")
        key, eq, value = token[2:].partition("=")
        if not eq:
            if i + 1 >= len(extra):
                fail(f"override --{key} needs a value")
            value = extra[i + 1]
            i += 1
        out[key.replace("-", "_")] = value
        i += 1
    return out


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(help="YAML training config (default: the built-in defaults).")] = None,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Labeled article JSONL to train on (repeatable).")] = None,
    from_model: Annotated[Path | None, typer.Option("--from", help="Continue from this model directory (retraining, with replay).")] = None,
    output_dir: Annotated[Path | None, typer.Option(help="Where the trained model directory goes.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Folder of the public corpora (default ../shared/data).")] = None,
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
    from stancesum.training.run import run_training

    path = run_training(args)
    typer.echo(f"trained model written to {path} (see {path / 'README.md'})", err=True)


from stancesum.summarize_command import summarize  # noqa: E402

app.command()(summarize)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
