"""`stancesum summarize`: summaries alone (no targets, no labeler), extractive by default or from a seq2seq model."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stancesum.commands.common import (
    INPUTS_HELP,
    LlmModel,
    LlmStructured,
    LlmTimeout,
    LlmUrl,
    fail,
    make_llm_client,
    report_failures,
    write_output,
)

if TYPE_CHECKING:
    from stancesum.inference.summarizers import ArticleSummary

SUMMARY_FORMATS: tuple[str, ...] = ("table", "json", "jsonl")


def summarize(
    inputs: Annotated[list[str], typer.Argument(help=INPUTS_HELP)],
    summarizer: Annotated[
        str,
        typer.Option(
            "--summarizer",
            "-s",
            help="extractive (trained, default) | llm (with --llm-url, --llm-model) | seq2seq | textrank | pacsum | "
            "lead",
        ),
    ] = "extractive",
    summarizer_model: Annotated[
        str | None,
        typer.Option(
            "--summarizer-model",
            help="extractive: a scorer directory (default models/summarizer_default); "
            "seq2seq: a model directory or Hugging Face id (required).",
        ),
    ] = None,
    max_words: Annotated[int | None, typer.Option("--max-words", help="At most this many words.")] = None,
    max_sentences: Annotated[int | None, typer.Option("--max-sentences", help="At most this many sentences.")] = None,
    ratio: Annotated[
        float | None, typer.Option("--ratio", help="At most this share (0-1] of the article's sentences (rounded up).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json | jsonl")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (atomically) instead of stdout.")
    ] = None,
    llm_url: LlmUrl = None,
    llm_model: LlmModel = None,
    llm_structured: LlmStructured = "json_schema",
    llm_timeout: LlmTimeout = 60.0,
    llm_concurrency: Annotated[int, typer.Option("--llm-concurrency", min=1, help="LLM requests in flight.")] = 4,
    llm_fallback: Annotated[
        str, typer.Option("--llm-fallback", help="error (exit 2 on an LLM failure) | model (warn, use the extract).")
    ] = "error",
    strict: Annotated[
        bool, typer.Option(help="--summarizer llm: drop summary sentences the article does not support.")
    ] = False,
) -> None:
    """Summarise articles. Extractive kinds default to the news budget (a highlight's length, see the README)."""
    from stancesum.inference.inputs import InputError, read_inputs
    from stancesum.inference.summarizers import build_summarizer, summarize_article
    from stancesum.models.labeler_config import ModelLoadError
    from stancesum.models.summarizer_config import DEFAULT_SUMMARIZER_DIR

    if fmt not in SUMMARY_FORMATS:
        fail(f"unknown --format {fmt!r}; choose one of {', '.join(SUMMARY_FORMATS)}")
    if summarizer == "extractive" and summarizer_model is None and not DEFAULT_SUMMARIZER_DIR.is_dir():
        fail(
            f"no trained default summarizer ({DEFAULT_SUMMARIZER_DIR} does not exist); pass --summarizer-model DIR "
            "or --summarizer textrank"
        )
    llm: dict = {}
    if summarizer == "llm":
        if llm_fallback not in ("error", "model"):
            fail("--llm-fallback is error or model")
        client = make_llm_client(llm_url, llm_model, llm_structured, llm_timeout, llm_concurrency)
        llm = {"llm_client": client, "strict": strict, "fallback": llm_fallback == "model"}
    try:
        summarize_fn = build_summarizer(
            summarizer, summarizer_model, max_words=max_words, max_sentences=max_sentences, ratio=ratio, **llm
        )
    except (ValueError, ModelLoadError) as err:
        fail(str(err))
    from stancesum.inference.llm_client import LLMError

    failures: list[str] = []
    records: list[ArticleSummary] = []
    for where, item in read_inputs(inputs):
        if isinstance(item, InputError):
            failures.append(str(item))
            continue
        try:
            records.append(summarize_article(item, summarize_fn))
        except ValueError as err:  # SegmentationError and other unusable text
            failures.append(f"{where}: {err}")
        except LLMError as err:
            fail(f"{where}: LLM: {err} (pass --llm-fallback model to use the extractive summary instead)")
    if llm:
        typer.echo(f"LLM: {llm['llm_client'].stats.line()}", err=True)
    if records:
        write_output(_render(records, fmt, summarizer), output)
    elif not failures:
        fail("no articles in the input")
    report_failures(failures)


def _render(records: list[ArticleSummary], fmt: str, kind: str) -> str:
    if fmt == "jsonl":
        out = []
        for r in records:
            data = r.article.to_dict()
            data["summary"] = r.summary or None
            out.append(json.dumps(data, ensure_ascii=False) + "\n")
        return "".join(out)
    if fmt == "json":
        rows = [
            {
                "id": r.article.id,
                "title": r.article.title,
                "summarizer": kind,
                "summary": r.summary,
                "sentences": r.selected,
                **({"summary_support": r.summary.support} if hasattr(r.summary, "support") else {}),
            }
            for r in records
        ]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=False, color_system=None, soft_wrap=False)
    for r in records:
        article = r.article
        console.rule(article.title or article.id)
        console.print(r.summary or "(empty summary)", markup=False, highlight=False)
        console.print()
    return buffer.getvalue()
