"""The Python API: the same jobs as the command line, with the same defaults.

>>> import stancesum
>>> analyzer = stancesum.Analyzer.from_pretrained()            # models/default + the extractive summarizer
>>> stancesum.summarize("Text of an article. It has sentences.")  # the trained extractive default
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, overload

from stancesum.models.article import Article


def _as_article(item: str | Article, k: int) -> Article:
    """An Article as given; a text as a .txt file is read (a first line that reads as a headline is the headline)."""
    from stancesum.inference.inputs import article_from_text

    return item if isinstance(item, Article) else article_from_text(item, f"text-{k}")


@overload
def summarize(  # type: ignore[overload-overlap]  # a str is also an Iterable[str]
    articles: str | Article,
    *,
    summarizer: str = ...,
    summarizer_model: str | None = ...,
    max_words: int | None = ...,
    max_sentences: int | None = ...,
    ratio: float | None = ...,
) -> str: ...
@overload
def summarize(
    articles: Iterable[str | Article],
    *,
    summarizer: str = ...,
    summarizer_model: str | None = ...,
    max_words: int | None = ...,
    max_sentences: int | None = ...,
    ratio: float | None = ...,
) -> list[str]: ...
def summarize(
    articles, *, summarizer="extractive", summarizer_model=None, max_words=None, max_sentences=None, ratio=None
):
    """Summarise one article (a text or an Article) or several, as `stancesum summarize` does.

    >>> summarize(open("seeds/000_4934cb18e678b5bb.txt").read(), max_sentences=2)
    """
    from stancesum.inference.summarizers import build_summarizer, summarize_article

    fn = build_summarizer(summarizer, summarizer_model, max_words=max_words, max_sentences=max_sentences, ratio=ratio)
    if isinstance(articles, (str, Article)):
        return summarize_article(_as_article(articles, 0), fn).summary
    return [summarize_article(_as_article(a, k), fn).summary for k, a in enumerate(articles)]


def evaluate(
    gold: str | Path,
    *,
    model: str | Path | None = None,
    predictions: str | Path | None = None,
    split: str | None = None,
    splits: str | Path | None = None,
    output_dir: str | Path | None = None,
    baselines: bool = True,
    summarizer: str | None = "extractive",
) -> dict[str, Any]:
    """Score a model (or a predictions file) and the baselines against gold articles, as `stancesum evaluate` does;
    with `output_dir`, also write metrics.json, predictions.jsonl, report.md and report.html there.
    Returns the metrics (every system's figures under ``["systems"]``).

    >>> m = evaluate("seeds/articles.jsonl", model="models/default", split="dev")
    >>> m["systems"]["system"]["stance"]["macro_f1"]
    """
    from stancesum.evaluation.harness import evaluate_gold
    from stancesum.evaluation.report import write_report

    # without `splits`: the splits.json beside the gold file, else the seeds'
    options: dict[str, Any] = {"splits_path": Path(splits)} if splits is not None else {}
    result = evaluate_gold(
        Path(gold),
        Path(model) if model else None,
        Path(predictions) if predictions else None,
        split,
        baselines=baselines,
        summarizer=summarizer,
        **options,
    )
    if output_dir is not None:
        write_report(result, Path(output_dir))
    return result.metrics


def train(
    config: str | Path | None = None,
    *,
    data: Iterable[str | Path] = (),
    from_model: str | Path | None = None,
    output_dir: str | Path | None = None,
    **overrides: Any,
) -> Path:
    """Fine-tune the labeler, as `stancesum train` does; keyword overrides are settings of
    `stancesum.training.arguments.TrainingArguments` (dotted keys as `stance_sources__fnc1=0`).
    Returns the model directory.

    >>> train("training/configs/default.yaml", output_dir="runs/default", epochs=2)
    """
    from stancesum.training.arguments import load_arguments
    from stancesum.training.run import run_training

    settings = {key.replace("__", "."): str(value) for key, value in overrides.items()}
    for key, value in (("output_dir", output_dir), ("init_from", from_model)):
        if value is not None:
            settings[key] = str(value)
    data = [str(p) for p in data]
    if data:
        settings["extra_data"] = "[" + ", ".join(repr(p) for p in data) + "]"
    return run_training(load_arguments(Path(config) if config else None, settings))
