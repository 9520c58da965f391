"""Running a trained labeler over articles: inputs, the Analyzer, typed results, output formats."""

from stancesum.inference.analyzer import Analyzer, NoTargetError
from stancesum.inference.results import ArticleAnalysis, Evidence, SentenceResult, StancePrediction, TargetSummary

__all__ = [
    "Analyzer",
    "ArticleAnalysis",
    "Evidence",
    "NoTargetError",
    "SentenceResult",
    "StancePrediction",
    "TargetSummary",
]
