"""The `stancesum` command line: one typer app; each command lives in its own module of stancesum.commands."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import typer

from stancesum.commands.analyze import analyze, optimize, split
from stancesum.commands.evaluate import benchmark, evaluate
from stancesum.commands.review import export, import_, prelabel
from stancesum.commands.summarize import summarize
from stancesum.commands.train import train

app = typer.Typer(
    name="stancesum",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Label each sentence of news articles with a topic and a stance toward targets, and summarise them.",
)
app.command()(analyze)
app.command()(summarize)
app.command()(split)
app.command()(optimize)
app.command()(evaluate)
app.command()(benchmark)
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(train)
app.command()(prelabel)
app.command()(export)
app.command("import")(import_)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
