"""stancesum: sentence-level topic and stance labelling and summarisation of news articles."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from stancesum.inference import Analyzer, ArticleAnalysis  # noqa: E402
from stancesum.models import Article, LabelSchema, SentenceLabeler, load_articles, save_articles  # noqa: E402

__version__ = "0.1.0"
__all__ = ["Analyzer", "Article", "ArticleAnalysis", "LabelSchema", "SentenceLabeler", "load_articles", "save_articles"]
