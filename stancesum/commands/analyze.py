"""`stancesum analyze` and `stancesum split`: label articles sentence by sentence; split them without a model."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from stancesum.commands.common import INPUTS_HELP, fail, report_failures, write_output


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
            "--summarizer", "-s", help="extractive (trained, default) | seq2seq | textrank | pacsum | lead | none"
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
    resume: Annotated[
        bool,
        typer.Option(help="With --output and --format jsonl: keep what an interrupted run wrote, skip those ids."),
    ] = False,
) -> None:
    """Label every sentence with a topic and a stance toward each target, and summarise the article."""
    from tqdm import tqdm

    from stancesum.inference.analyzer import Analyzer
    from stancesum.inference.formatting import FORMATS
    from stancesum.inference.inputs import InputError, count_articles, read_inputs
    from stancesum.inference.output_stream import OutputStream
    from stancesum.models.article import Article
    from stancesum.models.labeler import DEFAULT_MODEL_DIR, ModelLoadError, default_model_available

    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if model is None:
        if not default_model_available():
            fail(
                f"no trained default model yet ({DEFAULT_MODEL_DIR} holds none); train one with "
                "`stancesum train` or pass --model DIR. No labels are shown rather than invented ones."
            )
        model = DEFAULT_MODEL_DIR
    summarize_fn = None
    if summarizer != "none":
        from stancesum.inference.summarizers import build_summarizer

        try:
            summarize_fn = build_summarizer(
                summarizer,
                summarizer_model,
                max_words=max_words,
                max_sentences=max_sentences,
                ratio=ratio,
                balanced=balanced,
            )
        except (ValueError, ModelLoadError) as err:
            fail(f"summarizer: {err}")
    try:
        analyzer = Analyzer.from_pretrained(model, batch_size=batch_size, summarizer=summarize_fn)
    except ModelLoadError as err:
        fail(str(err))
    try:
        stream = OutputStream(output, fmt, resume=resume)
    except ValueError as err:
        fail(str(err))
    failures: list[str] = []
    where_of: deque[str] = deque()
    skipped = 0
    total = count_articles(inputs)
    bar = tqdm(total=total, desc="analyze", unit="article", file=sys.stderr, disable=total is not None and total < 2)

    def articles() -> Iterator[Article]:  # lazily, so memory does not grow with the input
        nonlocal skipped
        for where, item in read_inputs(inputs):
            if isinstance(item, InputError):
                failures.append(str(item))
            elif item.id in stream.done:
                skipped += 1
                bar.update(1)
            else:
                where_of.append(where)
                yield item

    try:
        for result in analyzer.iter_analyze(articles(), target or None):
            where = where_of.popleft()
            if isinstance(result, InputError):
                failures.append(f"{where}: {result.message}")
            else:
                stream.write(result)
            bar.update(1)
    except BaseException:
        stream.close(complete=False)  # what was written stays in OUTPUT.partial for --resume
        raise
    bar.close()
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
