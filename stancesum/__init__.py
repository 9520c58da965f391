"""stancesum: sentence-level topic and stance labelling and summarisation of news articles.

    >>> from stancesum import Analyzer
    >>> result = Analyzer.from_pretrained().analyze(text, targets=["sanctions on Russia"])

Names are imported on first use, so `import stancesum` itself loads no model and no deep-learning library.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

__version__ = "0.1.0"

_EXPORTS = {
    "Analyzer": "stancesum.inference.analyzer",
    "ArticleAnalysis": "stancesum.inference.results",
    "Article": "stancesum.models.article",
    "LabelSchema": "stancesum.models.schema",
    "SentenceLabeler": "stancesum.models.labeler",
    "load_articles": "stancesum.models.articles_io",
    "save_articles": "stancesum.models.articles_io",
    "summarize": "stancesum.api",
    "evaluate": "stancesum.api",
    "train": "stancesum.api",
}
__all__ = [
    "Analyzer",
    "Article",
    "ArticleAnalysis",
    "LabelSchema",
    "SentenceLabeler",
    "evaluate",
    "load_articles",
    "save_articles",
    "summarize",
    "train",
]

if TYPE_CHECKING:
    from stancesum.api import evaluate, summarize, train
    from stancesum.inference.analyzer import Analyzer
    from stancesum.inference.results import ArticleAnalysis
    from stancesum.models.article import Article
    from stancesum.models.articles_io import load_articles, save_articles
    from stancesum.models.labeler import SentenceLabeler
    from stancesum.models.schema import LabelSchema


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'stancesum' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
