"""Typed results of an analysis: per sentence, per target, per article."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from stancesum.models.article import Article, Sentence


@dataclass
class StancePrediction:
    label: str
    scores: dict[str, float]


@dataclass
class SentenceResult:
    index: int
    start: int
    end: int
    text: str
    topic: str
    topic_scores: dict[str, float]
    stance: dict[str, StancePrediction] = field(default_factory=dict)
    # With --llm-review: who gave each label ("model" or "llm") and both opinions (see inference.llm_assist).
    review: dict | None = None


@dataclass
class Evidence:
    """A sentence that takes a side, with the probability of that side."""

    index: int
    text: str
    score: float


@dataclass
class TargetSummary:
    target: str
    counts: dict[str, int]
    favor: list[Evidence]
    against: list[Evidence]


@dataclass
class ArticleAnalysis:
    id: str
    title: str | None
    targets: list[str]
    sentences: list[SentenceResult]
    by_target: dict[str, TargetSummary]
    summary: str = ""
    article: Article | None = field(default=None, repr=False)
    summary_support: list[dict] | None = None  # LLM summaries: how each summary sentence is supported by the article

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("article")
        for s in data["sentences"]:
            if s["review"] is None:
                s.pop("review")
        if data["summary_support"] is None:
            data.pop("summary_support")
        return data

    def to_article(self) -> Article:
        """The input article with the predicted labels and summary, in the article format."""
        base = self.article or Article(id=self.id, text="", title=self.title)
        return Article(
            id=base.id,
            text=base.text,
            title=base.title,
            source=base.source,
            date=base.date,
            url=base.url,
            license=base.license,
            targets=list(self.targets),
            sentences=[
                Sentence(s.start, s.end, s.text, s.topic, {t: p.label for t, p in s.stance.items()})
                for s in self.sentences
            ],
            summary=self.summary or None,
        )
