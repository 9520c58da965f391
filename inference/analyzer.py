"""The Analyzer: split an article into sentences, label topic and stance, gather evidence per target."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stancesum.inference.inputs import InputError, article_from_text
from stancesum.inference.results import ArticleAnalysis, Evidence, SentenceResult, StancePrediction, TargetSummary
from stancesum.models.article import Article, Sentence
from stancesum.models.labeler_config import DEFAULT_MODEL_DIR, stance_contexts
from stancesum.models.segmentation import SegmentationError, SentenceSplitter

if TYPE_CHECKING:
    from stancesum.inference.summarizers import Summarizer
    from stancesum.models.labeler import SentenceLabeler
    from stancesum.models.onnx_labeler import OnnxLabeler

PRECISIONS: tuple[str, ...] = ("auto", "bf16", "int8", "fp32")


def resolve_precision(precision: str) -> str:
    """ "auto" as this machine runs it: bf16 on a CPU with bfloat16 units (as fast as int8 here and far closer to
    float32's labels: benchmarks/labeler_speed.py), int8 elsewhere; any other precision as given."""
    if precision != "auto":
        return precision
    from stancesum.models.openvino_encoder import bf16_supported

    return "bf16" if bf16_supported() else "int8"


def load_labeler(
    path: str | Path, precision: str = "auto", threads: int | None = None
) -> SentenceLabeler | OnnxLabeler:
    """A labeler directory for inference: "bf16" (OpenVINO), "int8" (ONNX Runtime), "fp32" (the PyTorch model as
    trained) or "auto" (resolve_precision); the ONNX exports that bf16 and int8 run are made and cached on first
    use."""
    precision = resolve_precision(precision)
    if precision in ("bf16", "int8"):
        from stancesum.models.onnx_labeler import OnnxLabeler

        return OnnxLabeler(path, threads=threads, precision=precision)
    if precision == "fp32":
        from stancesum.models.labeler import SentenceLabeler

        return SentenceLabeler.from_pretrained(path)
    raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")


EVIDENCE_PER_SIDE = 3


class NoTargetError(ValueError):
    """No target was given and the article has no headline to use instead."""


def stance_toward_headline(article: Article, targets: list[str] | None) -> bool:
    """Whether the article's stance is read toward its headline, for want of targets (given or its own)."""
    return not targets and not article.targets and bool(article.title)


class Analyzer:
    """Labels every sentence of an article with a topic and a stance toward each target."""

    def __init__(
        self,
        labeler: SentenceLabeler | OnnxLabeler,
        splitter: SentenceSplitter | None = None,
        summarizer: Summarizer | None = None,
        batch_size: int = 64,
    ):
        self.labeler, self.splitter, self.summarizer = labeler, splitter or SentenceSplitter(), summarizer
        self.batch_size = batch_size

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path | None = None,
        batch_size: int = 64,
        summarizer: str | Summarizer | None = "extractive",
        precision: str = "auto",
        threads: int | None = None,
        **kwargs,
    ) -> Analyzer:
        """A labeler directory (default: the committed models/default) with the same defaults as `stancesum analyze`:
        bf16 or int8 inference and the trained extractive summarizer at its default budget. `summarizer` may be a kind
        (extractive | textrank | pacsum | lead | seq2seq), a ready summarizer callable, or None for no summary;
        `precision` auto | bf16 | int8 | fp32 (load_labeler)."""
        labeler = load_labeler(path or DEFAULT_MODEL_DIR, precision, threads)
        if isinstance(summarizer, str):
            from stancesum.inference.summarizers import build_summarizer

            summarizer = build_summarizer(summarizer, threads=threads)
        return cls(labeler, batch_size=batch_size, summarizer=summarizer, **kwargs)

    def analyze(
        self, text_or_article: str | Article, targets: list[str] | None = None, title: str | None = None
    ) -> ArticleAnalysis:
        """Analyze one article (or raw text, read as a .txt file is: a first line that reads as a headline is the
        headline, unless `title` is given). Targets default to the article's own, then to its headline."""
        if isinstance(text_or_article, Article):
            article = text_or_article
        elif title is not None:
            article = Article(id="text", text=text_or_article, title=title)
        else:
            article = article_from_text(text_or_article, "text")
        return self.analyze_many([article], targets)[0]

    def analyze_many(
        self, articles: list[Article], targets: list[str] | None = None, exact_targets: bool = False
    ) -> list[ArticleAnalysis]:
        """Analyze several articles in shared batches; raises on the first that cannot be analyzed.
        `exact_targets`: each article's own targets only, even none (topic only), as when scoring gold articles."""
        return self._analyze_prepared([self._prepare(a, targets, exact_targets) for a in articles])

    def iter_analyze(
        self, articles: Iterable[Article], targets: list[str] | None = None, chunk_size: int = 16
    ) -> Iterator[ArticleAnalysis | InputError]:
        """Analyses in input order; an article that cannot be analyzed yields an InputError (where = its id) instead."""
        chunk: list[Article] = []
        for article in articles:
            chunk.append(article)
            if len(chunk) == chunk_size:
                yield from self._analyze_chunk(chunk, targets)
                chunk = []
        if chunk:
            yield from self._analyze_chunk(chunk, targets)

    def _prepare(
        self, article: Article, targets: list[str] | None, exact_targets: bool = False
    ) -> tuple[Article, list[Sentence], list[str]]:
        sentences = article.sentences or self.splitter.split(article.text)
        if not sentences:
            raise SegmentationError("no sentences found in the text")
        if exact_targets:
            return article, sentences, list(article.targets)
        fallback = [article.title] if article.title and stance_toward_headline(article, targets) else []
        chosen = list(dict.fromkeys(targets or article.targets or fallback))
        if not chosen:
            raise NoTargetError("no target given and the article has no headline: pass --target")
        return article, sentences, chosen

    def _analyze_chunk(
        self, articles: list[Article], targets: list[str] | None
    ) -> Iterator[ArticleAnalysis | InputError]:
        prepared: list[tuple[Article, list[Sentence], list[str]] | InputError] = []
        for article in articles:
            try:
                prepared.append(self._prepare(article, targets))
            except (SegmentationError, NoTargetError) as err:
                prepared.append(InputError(article.id, str(err)))
        results = iter(self._analyze_prepared([p for p in prepared if not isinstance(p, InputError)]))
        for item in prepared:
            yield item if isinstance(item, InputError) else next(results)

    def _analyze_prepared(self, prepared: list[tuple[Article, list[Sentence], list[str]]]) -> list[ArticleAnalysis]:
        """The labeler over every sentence and (target, sentence) pair, one article at a time: an article's labels
        never depend on which other articles it is processed with (int8 inference scales activations per batch)."""
        out = []
        for article, sentences, targets in prepared:
            texts = [s.text for s in sentences]
            topic_probs = self.labeler.predict_topics(
                texts, [article.title or ""] * len(texts), batch_size=self.batch_size, groups=[len(texts)]
            )
            contexts = None
            if self.labeler.config.stance_context == "previous":
                contexts = stance_contexts(texts, article.title) * len(targets)
            stance_probs = self.labeler.predict_stances(
                [t for t in targets for _ in texts], texts * len(targets), batch_size=self.batch_size, contexts=contexts
            ).reshape(len(targets), len(texts), len(self.labeler.schema.stances))
            out.append(self._build(article, sentences, targets, topic_probs, stance_probs))
        return out

    def _build(
        self,
        article: Article,
        sentences: list[Sentence],
        targets: list[str],
        topic_probs: np.ndarray,
        stance_probs: np.ndarray,
    ) -> ArticleAnalysis:
        schema = self.labeler.schema
        topics, stances = schema.topic_labels, list(schema.stances)
        results = []
        for i, sent in enumerate(sentences):
            stance = {
                t: StancePrediction(stances[int(stance_probs[k, i].argmax())], _scores(stances, stance_probs[k, i]))
                for k, t in enumerate(targets)
            }
            results.append(
                SentenceResult(
                    i,
                    sent.start,
                    sent.end,
                    sent.text,
                    topics[int(topic_probs[i].argmax())],
                    _scores(topics, topic_probs[i]),
                    stance,
                )
            )
        by_target = {t: _target_summary(t, results) for t in targets}
        summary = "" if self.summarizer is None else self.summarizer(article, sentences, stance=by_target)
        support = getattr(summary, "support", None)  # an LLM summary carries its support check
        return ArticleAnalysis(article.id, article.title, targets, results, by_target, str(summary), article, support)


def _scores(labels: list[str], row: np.ndarray) -> dict[str, float]:
    return {label: round(float(p), 4) for label, p in zip(labels, row, strict=True)}


def _target_summary(target: str, sentences: list[SentenceResult]) -> TargetSummary:
    counts = {"favor": 0, "against": 0, "none": 0}
    sides: dict[str, list[Evidence]] = {"favor": [], "against": []}
    for s in sentences:
        pred = s.stance[target]
        counts[pred.label] += 1
        if pred.label in sides:
            sides[pred.label].append(Evidence(s.index, s.text, pred.scores[pred.label]))
    top = {side: sorted(ev, key=lambda e: -e.score)[:EVIDENCE_PER_SIDE] for side, ev in sides.items()}
    return TargetSummary(target, counts, top["favor"], top["against"])
