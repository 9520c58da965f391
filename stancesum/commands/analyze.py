"""`stancesum analyze` and `stancesum split`: label articles sentence by sentence; split them without a model."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from stancesum.commands.common import (
    INPUTS_HELP,
    PRECISION_HELP,
    LlmModel,
    LlmStructured,
    LlmTimeout,
    LlmUrl,
    fail,
    make_llm_client,
    report_failures,
    write_output,
)


def analyze(
    inputs: Annotated[list[str], typer.Argument(help=INPUTS_HELP)],
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            help="A target to take stance toward (repeatable). Default: the article's targets, else its headline.",
        ),
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Model directory (default: the committed models/default).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json | jsonl | markdown")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=4096, help="Sentences per forward pass.")] = 64,
    summarizer: Annotated[
        str,
        typer.Option(
            "--summarizer",
            "-s",
            help="extractive (trained, default) | llm (with --llm-url, --llm-model) | seq2seq | textrank | pacsum | "
            "lead | none",
        ),
    ] = "extractive",
    summarizer_model: Annotated[
        str | None,
        typer.Option("--summarizer-model", help="Scorer directory (extractive) or seq2seq model directory / hub id."),
    ] = None,
    max_words: Annotated[int | None, typer.Option("--max-words", help="Summary: at most this many words.")] = None,
    max_sentences: Annotated[
        int | None, typer.Option("--max-sentences", help="Summary: at most this many sentences.")
    ] = None,
    ratio: Annotated[
        float | None, typer.Option("--ratio", help="Summary: at most this share of the sentences.")
    ] = None,
    balanced: Annotated[
        bool,
        typer.Option(
            "--balanced", help="Summary keeps the strongest favor and against sentence of each contested target."
        ),
    ] = False,
    precision: Annotated[str, typer.Option(help=PRECISION_HELP)] = "auto",
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for inference (default: all).")] = None,
    engine: Annotated[
        str, typer.Option(help="local (this process) | ray (Ray Data: a local Ray or a cluster).")
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(help="--engine ray: join this Ray cluster (e.g. ray://head:10001); default: a local Ray."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="--engine ray: analyzer actors (each loads the model once).")] = 2,
    llm_url: LlmUrl = None,
    llm_model: LlmModel = None,
    llm_structured: LlmStructured = "json_schema",
    llm_timeout: LlmTimeout = 60.0,
    llm_concurrency: Annotated[int, typer.Option("--llm-concurrency", min=1, help="LLM requests in flight.")] = 4,
    llm_review: Annotated[
        str,
        typer.Option(
            "--llm-review", help="none | uncertain (below the model's review threshold) | all: LLM second opinions."
        ),
    ] = "none",
    llm_budget: Annotated[int, typer.Option("--llm-budget", min=0, help="At most this many sentences reviewed.")] = 50,
    llm_fallback: Annotated[
        str,
        typer.Option(
            "--llm-fallback", help="error (exit 2 on an LLM failure) | model (warn, keep the model's output)."
        ),
    ] = "error",
    strict: Annotated[
        bool, typer.Option(help="--summarizer llm: drop summary sentences the article does not support.")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(help="With --output and --format jsonl: keep what an interrupted run wrote, skip those ids."),
    ] = False,
) -> None:
    """Label every sentence with a topic and a stance toward each target, and summarise the article."""
    from tqdm import tqdm

    from stancesum.inference.analyzer import Analyzer, stance_toward_headline
    from stancesum.inference.formatting import FORMATS
    from stancesum.inference.inputs import InputError, count_articles, read_inputs
    from stancesum.inference.output_stream import OutputStream
    from stancesum.models.article import Article
    from stancesum.models.labeler_config import DEFAULT_MODEL_DIR, ModelLoadError, default_model_available

    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from stancesum.inference.summarizers import SUMMARIZER_KINDS

    if summarizer not in (*SUMMARIZER_KINDS, "none"):
        fail(f"unknown --summarizer {summarizer!r}; choose one of {', '.join((*SUMMARIZER_KINDS, 'none'))}")
    if target and not all(t.strip() for t in target):
        fail("--target must not be empty: name a claim or issue, e.g. -t 'raising the minimum wage'")
    if model is None:
        if not default_model_available():
            fail(
                f"no trained default model yet ({DEFAULT_MODEL_DIR} holds none); train one with "
                "`stancesum train` or pass --model DIR. No labels are shown rather than invented ones."
            )
        model = DEFAULT_MODEL_DIR
    if engine not in ("local", "ray"):
        fail(f"unknown --engine {engine!r}; choose local or ray")
    if engine == "ray":
        _analyze_with_ray(
            inputs,
            output,
            fmt,
            resume,
            model,
            target,
            precision,
            batch_size,
            summarizer,
            summarizer_model,
            dict(max_words=max_words, max_sentences=max_sentences, ratio=ratio, balanced=balanced),
            ray_address,
            workers,
        )
        return
    if llm_review not in ("none", "uncertain", "all") or llm_fallback not in ("error", "model"):
        fail("--llm-review is none, uncertain or all; --llm-fallback is error or model")
    client = None
    if summarizer == "llm" or llm_review != "none":
        client = make_llm_client(llm_url, llm_model, llm_structured, llm_timeout, llm_concurrency)
    summarize_fn = None
    if summarizer != "none":
        from stancesum.inference.summarizers import build_summarizer

        llm = (
            {"llm_client": client, "strict": strict, "fallback": llm_fallback == "model"} if summarizer == "llm" else {}
        )
        try:
            summarize_fn = build_summarizer(
                summarizer,
                summarizer_model,
                max_words=max_words,
                max_sentences=max_sentences,
                ratio=ratio,
                balanced=balanced,
                threads=threads,
                **llm,
            )
        except (ValueError, ModelLoadError) as err:
            fail(f"summarizer: {err}")
    try:
        analyzer = Analyzer.from_pretrained(
            model, batch_size=batch_size, summarizer=summarize_fn, precision=precision, threads=threads
        )
    except (ModelLoadError, ValueError) as err:
        fail(str(err))
    try:
        stream = OutputStream(output, fmt, resume=resume)
    except ValueError as err:
        fail(str(err))
    from stancesum.inference.llm_assist import ReviewReport, review
    from stancesum.inference.llm_client import LLMError

    reviewed = ReviewReport()
    failures: list[str] = []
    where_of: deque[str] = deque()
    skipped = toward_headline = 0
    total = count_articles(inputs)
    bar = tqdm(total=total, desc="analyze", unit="article", file=sys.stderr, disable=total is not None and total < 2)

    def articles() -> Iterator[Article]:  # lazily, so memory does not grow with the input
        nonlocal skipped, toward_headline
        for where, item in read_inputs(inputs):
            if isinstance(item, InputError):
                failures.append(str(item))
            elif item.id in stream.done:
                skipped += 1
                bar.update(1)
            else:
                where_of.append(where)
                toward_headline += stance_toward_headline(item, target or None)
                yield item

    try:
        for result in analyzer.iter_analyze(articles(), target or None):
            where = where_of.popleft()
            if isinstance(result, InputError):
                failures.append(f"{where}: {result.message}")
                continue
            if client is not None and llm_review != "none":
                step = review(
                    [result],
                    client,
                    analyzer.labeler.schema,
                    llm_review,
                    analyzer.labeler.config.review_threshold,
                    llm_budget - reviewed.sent,
                    fallback=llm_fallback == "model",
                )
                reviewed.merge(step)
            stream.write(result)
            bar.update(1)
    except LLMError as err:
        stream.close(complete=False)
        fail(f"LLM: {err} (pass --llm-fallback model to keep the model's output instead)")
    except BaseException:
        stream.close(complete=False)  # what was written stays in OUTPUT.partial for --resume
        raise
    bar.close()
    headline_note(toward_headline)
    if client is not None:
        if llm_review != "none":
            typer.echo(reviewed.line(), err=True)
        typer.echo(f"LLM: {client.stats.line()}", err=True)
    if stream.count or skipped or stream.done:
        stream.close()
        if output is not None:
            typer.echo(
                f"wrote {output} ({stream.count} analysed" + (f", {skipped} already there" if skipped else "") + ")",
                err=True,
            )
    else:
        stream.close(complete=False)
        if stream.partial is not None:
            stream.partial.unlink(missing_ok=True)
        if not failures:
            fail("no articles in the input")
    report_failures(failures)


def headline_note(articles: int) -> None:
    """Says once how many articles had their stance read toward the headline, for want of targets."""
    if articles:
        typer.echo(
            f"note: {articles} article(s) named no targets, so their stance is toward the headline, "
            "which is often a report rather than a position: name the question with --target",
            err=True,
        )


def _analyze_with_ray(
    inputs: list[str],
    output: Path | None,
    fmt: str,
    resume: bool,
    model: Path,
    targets: list[str] | None,
    precision: str,
    batch_size: int,
    summarizer: str,
    summarizer_model: str | None,
    limits: dict,
    address: str | None,
    workers: int,
) -> None:
    """--engine ray: Ray Data reads and analyzes, this process writes the article format in input order."""
    import json

    from stancesum.inference.output_stream import OutputStream
    from stancesum.inference.ray_engine import AnalyzeSettings, analyze_with_ray

    if output is None or fmt != "jsonl" or resume:
        fail("--engine ray writes --output FILE in --format jsonl (and does not --resume)")
    settings = AnalyzeSettings(
        str(model),
        targets or None,
        precision,
        batch_size,
        1,
        summarizer,
        summarizer_model,
        {k: v for k, v in limits.items() if v not in (None, False)},
    )
    stream = OutputStream(output, "jsonl")
    failures = []
    toward_headline = 0
    try:
        for line, error, headline in analyze_with_ray(inputs, settings, address, workers):
            if error:
                failures.append(error)
            else:
                toward_headline += headline
                stream.write_rendered(line, json.loads(line)["id"])
    except ValueError as err:
        stream.close(complete=False)
        fail(str(err))
    except BaseException:
        stream.close(complete=False)
        raise
    stream.close(complete=bool(stream.count))
    headline_note(toward_headline)
    typer.echo(f"wrote {output} ({stream.count} analysed with Ray, {workers} worker(s))", err=True)
    report_failures(failures)


def split(
    inputs: Annotated[list[str], typer.Argument(help=INPUTS_HELP)],
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


def optimize(
    model: Annotated[
        Path | None,
        typer.Argument(help="A labeler or summarizer directory (default: both committed defaults)."),
    ] = None,
    precision: Annotated[str, typer.Option(help="Labelers: the precision to export for; " + PRECISION_HELP)] = "auto",
) -> None:
    """Make the ONNX exports ahead of time (otherwise made on first use), and print where they are."""
    from stancesum.inference.analyzer import resolve_precision
    from stancesum.models.labeler_config import DEFAULT_MODEL_DIR, ModelLoadError
    from stancesum.models.onnx_labeler import GRAPHS, exported
    from stancesum.models.summarizer_config import CONFIG_FILE, DEFAULT_SUMMARIZER_DIR, read_config

    precision = resolve_precision(precision)
    if precision not in GRAPHS:
        fail(f"--precision {precision}: nothing to export (exports are made for {' and '.join(GRAPHS)})")
    for directory in [model] if model else [DEFAULT_MODEL_DIR, DEFAULT_SUMMARIZER_DIR]:
        try:
            if (directory / CONFIG_FILE).is_file():
                if read_config(directory).runtime != "onnx":
                    typer.echo(f"{directory}: runtime 'torch' (quantized when loaded): no export to make")
                    continue
                from stancesum.models.onnx_summarizer import export_scorer

                path = export_scorer(directory)
            else:
                path = exported(directory, precision)
        except ModelLoadError as err:
            fail(str(err))
        size = path.stat().st_size / 1e6
        typer.echo(f"{directory}: {path} ({size:.1f} MB; cache: STANCESUM_CACHE or ~/.cache/stancesum)")
