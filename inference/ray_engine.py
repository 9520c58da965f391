"""`stancesum analyze --engine ray`: the same analysis spread over a Ray cluster (or a local Ray) with Ray Data.

The JSONL inputs are read as lines by Ray Data, analyzed in batches by a callable class (each actor loads the model
once), and streamed back to the driver in input order, which writes them exactly as the single-process run does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class AnalyzeSettings:
    """Everything an actor needs to build the same Analyzer as the single-process command."""

    model: str
    targets: list[str] | None = None
    precision: str = "auto"
    batch_size: int = 64
    threads: int | None = 1
    summarizer: str = "extractive"
    summarizer_model: str | None = None
    summary_limits: dict[str, Any] = field(default_factory=dict)  # max_words, max_sentences, ratio, balanced


class AnalyzeBatch:
    """Ray Data callable class: a batch of JSONL lines in, their analyses (article-format JSON lines) out."""

    def __init__(self, settings: AnalyzeSettings):
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from stancesum.inference.analyzer import Analyzer
        from stancesum.inference.summarizers import build_summarizer

        summarize = (
            build_summarizer(
                settings.summarizer, settings.summarizer_model, threads=settings.threads, **settings.summary_limits
            )
            if settings.summarizer != "none"
            else None
        )
        self.settings = settings
        self.analyzer = Analyzer.from_pretrained(
            settings.model,
            batch_size=settings.batch_size,
            summarizer=summarize,
            precision=settings.precision,
            threads=settings.threads,
        )

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list[str] | list[bool]]:
        from stancesum.inference.analyzer import stance_toward_headline
        from stancesum.inference.formatting import render
        from stancesum.inference.inputs import InputError, check_article
        from stancesum.models.article import Article, ArticleFormatError

        lines: list[str] = []
        errors: list[str] = []
        headline: list[bool] = []
        for path, raw in zip(batch["path"], batch["text"], strict=True):
            where = f"{path}"
            try:
                article = Article.from_dict(json.loads(raw))
            except (ArticleFormatError, json.JSONDecodeError) as err:
                lines.append("")
                errors.append(f"{where}: {err}")
                headline.append(False)
                continue
            located = f"{path} (article {article.id})"
            problem = check_article(article, located)
            result = problem or next(self.analyzer.iter_analyze([article], self.settings.targets))
            if isinstance(result, InputError):
                lines.append("")
                errors.append(f"{located}: {result.message}")
                headline.append(False)
            else:
                lines.append(render([result], "jsonl"))
                errors.append("")
                headline.append(stance_toward_headline(article, self.settings.targets))
        return {"line": lines, "error": errors, "toward_headline": headline}


def analyze_with_ray(
    inputs: list[str], settings: AnalyzeSettings, address: str | None = None, workers: int = 2, batch_size: int = 16
) -> Iterator[tuple[str, str, bool]]:
    """(article-format JSON line or "", error or "", whether its stance is toward the headline for want of targets)
    for every input line, in input order."""
    import ray

    paths = [str(p) for name in inputs for p in _jsonl_files(Path(name))]
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            # one CPU slot beyond the actors' for Ray Data's read tasks (slots are scheduling units, not cores)
            ray.init(num_cpus=workers + 1, include_dashboard=False, log_to_driver=False)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    dataset = ray.data.read_text(paths, include_paths=True, drop_empty_lines=True)
    # Actors that held every CPU slot would starve Ray Data's read tasks (1 CPU each; a deadlock): leave one free.
    per_actor = min(1.0, max(0.1, (ray.cluster_resources().get("CPU", workers + 1) - 1) / workers))
    results = dataset.map_batches(
        AnalyzeBatch,
        fn_constructor_kwargs={"settings": settings},
        batch_size=batch_size,
        concurrency=workers,
        num_cpus=per_actor,
        batch_format="numpy",
    )
    for row in results.iter_rows():
        yield row["line"], row["error"], bool(row["toward_headline"])


def _jsonl_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in (".jsonl", ".ndjson", ".json"))
    if path.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        raise ValueError(f"{path}: --engine ray reads JSONL article files (or folders of them)")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    return [path]
