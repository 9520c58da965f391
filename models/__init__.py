"""Label schema, the article format, sentence splitting, and the neural models with their save/load."""

from stancesum.models.article import Article, ArticleFormatError, Sentence
from stancesum.models.articles_io import load_articles, save_articles
from stancesum.models.labeler import (
    DEFAULT_MODEL_DIR,
    LabelerConfig,
    ModelLoadError,
    SentenceLabeler,
    default_model_available,
)
from stancesum.models.schema import DEFAULT_TOPICS, STANCE_LABELS, LabelSchema

__all__ = [
    "Article",
    "ArticleFormatError",
    "DEFAULT_MODEL_DIR",
    "DEFAULT_TOPICS",
    "LabelSchema",
    "LabelerConfig",
    "ModelLoadError",
    "STANCE_LABELS",
    "Sentence",
    "SentenceLabeler",
    "default_model_available",
    "load_articles",
    "save_articles",
]
