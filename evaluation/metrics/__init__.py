"""The project's own `evaluate` metric modules, loaded by path (nothing is fetched from the Hugging Face hub)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import evaluate

METRICS_DIR = Path(__file__).resolve().parent
METRIC_NAMES: tuple[str, ...] = ("stance_metrics", "topic_metrics", "summary_rouge")


def metric_path(name: str) -> Path:
    """The folder of metric `name` (it holds `<name>.py` and its metric card `README.md`)."""
    if name not in METRIC_NAMES:
        raise ValueError(f"unknown metric {name!r}; expected one of {', '.join(METRIC_NAMES)}")
    return METRICS_DIR / name


@cache
def load_metric(name: str) -> evaluate.EvaluationModule:
    """Load metric `name` by path with `evaluate.load`, once per process (kept in memory: no cache files)."""
    import evaluate

    return evaluate.load(str(metric_path(name)), keep_in_memory=True)
