"""`stancesum prelabel`, `export` and `import`: model (and LLM) pre-labels out to Label Studio for review, and the
reviewed labels back in the article format, ready for `stancesum train --from MODEL --data reviewed.jsonl`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from stancesum.commands.common import (
    INPUTS_HELP,
    PRECISION_HELP,
    LlmModel,
    LlmStructured,
    LlmUrl,
    fail,
    make_llm_client,
    report_failures,
    write_output,
)


def prelabel(
    inputs: Annotated[list[str], typer.Argument(help=INPUTS_HELP)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Pre-labeled articles (JSONL, article format).")],
    target: Annotated[
        list[str] | None, typer.Option("--target", "-t", help="Target (repeatable); default: the article's own.")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Labeler directory (default: models/default).")] = None,
    precision: Annotated[str, typer.Option(help=PRECISION_HELP)] = "auto",
    llm_url: LlmUrl = None,
    llm_model: LlmModel = None,
    llm_structured: LlmStructured = "json_schema",
    llm_budget: Annotated[int, typer.Option("--llm-budget", min=0, help="At most this many sentences to the LLM.")] = (
        200
    ),
    llm_fallback: Annotated[
        str, typer.Option("--llm-fallback", help="error | model (keep the model's label where the LLM fails).")
    ] = "error",
) -> None:
    """Pre-label articles for review: the model's labels with their confidences (and, with --llm-url, the LLM's
    labels, the model's kept as the second opinion), in the article format with `annotation.reviewed` false."""
    from stancesum.inference.analyzer import Analyzer, resolve_precision
    from stancesum.inference.inputs import InputError, read_inputs
    from stancesum.inference.llm_assist import confidence, review
    from stancesum.inference.llm_client import LLMError
    from stancesum.models.articles_io import save_articles
    from stancesum.models.labeler_config import DEFAULT_MODEL_DIR, ModelLoadError

    model, precision = model or DEFAULT_MODEL_DIR, resolve_precision(precision)  # the record names what ran
    try:
        analyzer = Analyzer.from_pretrained(model, summarizer=None, precision=precision)
    except (ModelLoadError, ValueError) as err:
        fail(str(err))
    client = make_llm_client(llm_url, llm_model, llm_structured) if llm_url or llm_model else None
    failures, articles = [], []
    items = [(w, i) for w, i in read_inputs(inputs)]
    failures += [str(i) for _, i in items if isinstance(i, InputError)]
    good = [i for _, i in items if not isinstance(i, InputError)]
    analyses = []
    for article, result in zip(good, analyzer.iter_analyze(good, target or None), strict=True):
        if isinstance(result, InputError):
            failures.append(f"{article.id}: {result.message}")
        else:
            analyses.append(result)
    if client is not None:
        try:
            report = review(analyses, client, analyzer.labeler.schema, "all", 1.0, llm_budget, llm_fallback == "model")
        except LLMError as err:
            fail(f"LLM: {err} (pass --llm-fallback model to keep the model's labels instead)")
        typer.echo(report.line().replace("LLM review", "LLM pre-labels"), err=True)
        typer.echo(f"LLM: {client.stats.line()}", err=True)
    for a in analyses:
        article = a.to_article()
        article.summary = (a.article.summary if a.article else None) or None
        article.annotation = {
            "by": f"stancesum prelabel ({model}, {precision}" + (f"; LLM {llm_model})" if client else ")"),
            "reviewed": False,
            "prelabel": {
                "confidence": [
                    {
                        "topic": s.topic_scores[s.topic],
                        "stance": {t: p.scores[p.label] for t, p in s.stance.items()},
                        "overall": confidence(s),
                    }
                    for s in a.sentences
                ],
                "by": [s.review["by"] if s.review else "model" for s in a.sentences],
            },
        }
        articles.append(article)
    if articles:
        save_articles(output, articles)
        typer.echo(
            f"wrote {output} ({len(articles)} articles, {sum(len(x.sentences) for x in articles)} sentences)", err=True
        )
    elif not failures:
        fail("no articles in the input")
    report_failures(failures)


def export(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="Articles (JSONL, article format).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Label Studio tasks (JSON).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="label-studio")] = "label-studio",
    config: Annotated[
        Path | None, typer.Option(help="Also write the matching labeling config (XML) here (default: OUTPUT.xml).")
    ] = None,
) -> None:
    """Export articles as Label Studio tasks (one per sentence, the labels as predictions) and its labeling config."""
    from stancesum.inference.label_studio import labeling_config, to_tasks
    from stancesum.models.article import ArticleFormatError
    from stancesum.models.articles_io import load_articles

    if fmt != "label-studio":
        fail(f"unknown --format {fmt!r}; the only export format is label-studio")
    try:
        articles = load_articles(input_path)
        tasks = to_tasks(articles)
    except (ArticleFormatError, ValueError) as err:
        fail(str(err))
    write_output(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", output)
    write_output(labeling_config(), config or output.with_suffix(".xml"))


def import_(
    export_path: Annotated[Path, typer.Argument(metavar="EXPORT", help="Label Studio JSON export.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Reviewed articles (JSONL, article format).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="label-studio")] = "label-studio",
) -> None:
    """Read Label Studio's JSON export back into the article format, validated."""
    from stancesum.inference.label_studio import from_export, load_export
    from stancesum.models.article import ArticleFormatError
    from stancesum.models.articles_io import save_articles

    if fmt != "label-studio":
        fail(f"unknown --format {fmt!r}; the only import format is label-studio")
    try:
        articles, unannotated = from_export(load_export(export_path), str(export_path))
    except ArticleFormatError as err:
        fail(str(err))
    save_articles(output, articles)
    note = f"; {unannotated} sentence(s) had no annotation and stay unlabeled" if unannotated else ""
    typer.echo(f"wrote {output} ({len(articles)} articles{note})", err=True)
