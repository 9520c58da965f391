"""What every command shares: the exit code for bad input, one-line errors, atomic output, failure lists."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

EXIT_BAD_INPUT = 2
INPUTS_HELP = "JSONL article files, .txt files, folders of them (.jsonl/.txt files only), or - for stdin."
PRECISION_HELP = (
    "auto (bf16 on a CPU with bfloat16 units, else int8) | bf16 (OpenVINO) | int8 (ONNX Runtime) | "
    "fp32 (the PyTorch model as trained)."
)


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


LLM_URL_HELP = "Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (key: STANCESUM_LLM_API_KEY)."

# The LLM options that analyze, summarize and prelabel share.
LlmUrl = Annotated[str | None, typer.Option("--llm-url", help=LLM_URL_HELP)]
LlmModel = Annotated[str | None, typer.Option("--llm-model", help="Model name the server knows.")]
LlmStructured = Annotated[
    str, typer.Option("--llm-structured", help="json_schema (OpenAI, vLLM) | json_object (llama.cpp) | none.")
]
LlmTimeout = Annotated[float, typer.Option("--llm-timeout", help="Seconds per LLM request.")]


def make_llm_client(
    url: str | None, model: str | None, structured: str = "json_schema", timeout: float = 60.0, concurrency: int = 4
):
    """The LLM client for --llm-url/--llm-model, or a one-line error (exit 2) when they are incomplete."""
    if not url or not model:
        fail("the language model needs both --llm-url and --llm-model")
    from stancesum.inference.llm_client import LLMClient, LLMSettings

    try:
        return LLMClient(
            LLMSettings(url=url, model=model, structured=structured, timeout=timeout, concurrency=concurrency)
        )
    except ValueError as err:
        fail(str(err))
