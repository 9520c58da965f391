"""What a language model adds, through any OpenAI-compatible server: abstractive summaries checked against the
article, second opinions on the labels the fine-tuned model is unsure of, and LLM pre-labels for review.

The fine-tuned model stays the fast, offline default; every LLM answer is validated against the label schema, and a
failure is either an error or (with a fallback) a warning and the model's own output, never an invented label.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from stancesum.inference.llm_client import LLMClient, LLMError, load_prompt
from stancesum.inference.results import ArticleAnalysis, SentenceResult
from stancesum.models.article import Article, Sentence
from stancesum.models.schema import STANCE_LABELS, LabelSchema
from stancesum.models.sentence_features import Budget

log = logging.getLogger(__name__)
SUMMARY_SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}},
    "required": ["summary"],
}
CHUNK_SENTENCES = 40  # longer articles are summarized in chunks of this many sentences, then merged
SUPPORT_SIMILARITY = 0.5  # a summary sentence needs an article sentence at least this close (cosine)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)*")


class SupportedSummary(str):
    """A summary string that also carries how each of its sentences is supported by the article."""

    support: list[dict]

    def __new__(cls, text: str, support: list[dict]) -> SupportedSummary:
        value = super().__new__(cls, text)
        value.support = support
        return value


def support_check(summary: Sequence[str], article_sentences: Sequence[str], embed) -> list[dict]:
    """Per summary sentence: its closest article sentences (cosine of the base encoder's vectors), and the numbers
    and names it states that the article does not contain. Supported = close enough and nothing missing."""
    if not summary:
        return []
    vectors = embed(list(summary) + list(article_sentences))
    vectors = np.asarray(vectors, dtype=np.float32)
    ours, theirs = vectors[: len(summary)], vectors[len(summary) :]
    sims = ours @ theirs.T if len(theirs) else np.zeros((len(ours), 0))
    article_text = " ".join(article_sentences)
    numbers, names = set(_NUMBER.findall(article_text)), article_text.lower()
    out = []
    for k, sentence in enumerate(summary):
        order: list[int] = [int(i) for i in np.argsort(-sims[k])[:2]] if sims.shape[1] else []
        missing_numbers = [n for n in _NUMBER.findall(sentence) if n not in numbers]
        missing_names = [m for m in _NAME.findall(sentence)[1:] if m.lower() not in names]  # [0]: sentence start
        best = float(sims[k, order[0]]) if len(order) else 0.0
        out.append(
            {
                "sentence": sentence,
                "supported": best >= SUPPORT_SIMILARITY and not missing_numbers and not missing_names,
                "similarity": round(best, 3),
                "sources": [int(i) for i in order],
                "missing_numbers": missing_numbers,
                "missing_names": missing_names,
            }
        )
    return out


class LlmSummarizer:
    """Extract, then abstract: the trained extractive scorer picks the salient sentences (twice the budget), the LLM
    rewrites them to the budget; an article longer than CHUNK_SENTENCES is summarized chunk by chunk and the chunk
    summaries merged (nothing is truncated). Every summary sentence is checked against the article (`support`);
    `strict` drops the unsupported ones. With `fallback`, an LLM failure gives the extractive summary and a warning."""

    name = "llm"

    def __init__(self, client: LLMClient, extractor, budget: Budget, strict: bool = False, fallback: bool = False):
        from stancesum.inference.summarizers import ExtractiveSummarizer

        self.client, self.extractor, self.budget = client, extractor, budget
        self.strict, self.fallback = strict, fallback
        # the salient sentences handed to the LLM: the same scorer at twice the summary's word budget
        self.salient = ExtractiveSummarizer(extractor.scorer, budget=Budget(max_words=2 * (budget.max_words or 75)))
        self.failures = 0

    def _limits(self) -> tuple[int, int]:
        return self.budget.max_words or 75, self.budget.max_sentences or 4

    def _abstract(self, title: str, sentences: list[str], prompt: str) -> list[str]:
        max_words, max_sentences = self._limits()
        text = load_prompt(prompt).format(
            title=title or "(none)",
            sentences="\n".join(f"- {s}" for s in sentences),
            max_words=max_words,
            max_sentences=max_sentences,
        )
        answer = self.client.complete_json([{"role": "user", "content": text}], SUMMARY_SCHEMA, "summary")
        return [" ".join(s.split()) for s in answer["summary"] if s.strip()]

    def summarize(self, article: Article, sentences: list[Sentence]) -> SupportedSummary:
        chunks = [sentences[i : i + CHUNK_SENTENCES] for i in range(0, len(sentences), CHUNK_SENTENCES)] or [[]]
        parts = []
        for chunk in chunks:
            part = Article(id=article.id, text=article.text, title=article.title, sentences=chunk)
            salient = [chunk[i].text for i in self.salient.select(part, chunk)]
            parts.append(self._abstract(article.title or "", salient, "summarize_v1"))
        summary = parts[0] if len(parts) == 1 else self._abstract(article.title or "", sum(parts, []), "merge_v1")
        support = support_check(summary, [s.text for s in sentences], self.extractor.scorer.embed)
        kept = [s["sentence"] for s in support if s["supported"] or not self.strict]
        return SupportedSummary(" ".join(kept), support)

    def __call__(self, article: Article, sentences: list[Sentence], stance: Mapping | None = None) -> str:
        try:
            return self.summarize(article, sentences)
        except LLMError as err:
            self.failures += 1
            if not self.fallback:
                raise
            log.warning("%s: LLM summary failed (%s); using the extractive summary", article.id, err)
            return self.extractor(article, sentences)


def label_schema_json(schema: LabelSchema, targets: Sequence[str]) -> dict:
    """The JSON schema of one sentence's labels: a topic of the schema and a stance for each target."""
    return {
        "type": "object",
        "properties": {
            "topic": {"enum": list(schema.topic_labels)},
            "stance": {
                "type": "object",
                "properties": {t: {"enum": list(STANCE_LABELS)} for t in targets},
                "required": list(targets),
                "additionalProperties": False,
            },
        },
        "required": ["topic", "stance"],
    }


def llm_labels(
    client: LLMClient, schema: LabelSchema, title: str | None, texts: Sequence[str], index: int, targets: Sequence[str]
) -> dict:
    """The LLM's topic and stances for sentence `index` of an article, validated against the schema."""
    prompt = load_prompt("label_v1").format(
        topics="\n".join(f"- {label}: {text}" for label, text in schema.topics.items()),
        title=title or "(none)",
        before=" ".join(texts[max(0, index - 2) : index]) or "(start of the article)",
        sentence=texts[index],
        after=" ".join(texts[index + 1 : index + 3]) or "(end of the article)",
        targets="\n".join(f"- {t}" for t in targets),
    )
    # A topic and one label per target: a few dozen tokens; the cap stops a small model that rambles.
    cap = 96 + 48 * len(targets)
    return client.complete_json(
        [{"role": "user", "content": prompt}], label_schema_json(schema, targets), "labels", max_tokens=cap
    )


def confidence(sentence: SentenceResult) -> float:
    """The model's confidence in a sentence's labels: the lowest winning probability among its topic and stances."""
    winners = [sentence.topic_scores[sentence.topic]] + [p.scores[p.label] for p in sentence.stance.values()]
    return float(min(winners))


@dataclass
class ReviewReport:
    """What --llm-review did."""

    sentences: int = 0
    candidates: int = 0
    sent: int = 0
    changed: int = 0
    failed: list[str] = field(default_factory=list)

    def merge(self, other: ReviewReport) -> None:
        self.sentences += other.sentences
        self.candidates += other.candidates
        self.sent += other.sent
        self.changed += other.changed
        self.failed += other.failed

    def line(self) -> str:
        return (
            f"LLM review: {self.candidates} of {self.sentences} sentences eligible, {self.sent} sent (within the "
            f"budget), {self.changed} label(s) changed, {len(self.failed)} failed"
        )


def review(
    analyses: list[ArticleAnalysis],
    client: LLMClient,
    schema: LabelSchema,
    mode: str,
    threshold: float,
    budget: int,
    fallback: bool = False,
) -> ReviewReport:
    """Second opinions: sentences whose model confidence is below `threshold` (mode "uncertain", least confident
    first) or all sentences (mode "all") go to the LLM, at most `budget` of them. A valid LLM answer replaces the
    model's labels; each reviewed sentence records who gave each label and both opinions. An LLM failure raises
    LLMError, or with `fallback` keeps the model's labels and records the error."""
    report = ReviewReport(sentences=sum(len(a.sentences) for a in analyses))
    pool = [(a, s) for a in analyses for s in a.sentences if mode == "all" or confidence(s) < threshold]
    report.candidates = len(pool)
    pool.sort(key=lambda pair: confidence(pair[1]))
    chosen = pool[:budget]
    report.sent = len(chosen)

    def ask(pair: tuple[ArticleAnalysis, SentenceResult]) -> dict:
        a, s = pair
        return llm_labels(client, schema, a.title, [x.text for x in a.sentences], s.index, a.targets)

    for (a, s), answer in zip(chosen, client.map(ask, chosen), strict=True):
        model = {"topic": s.topic, "stance": {t: p.label for t, p in s.stance.items()}, "confidence": confidence(s)}
        if isinstance(answer, LLMError):
            if not fallback:
                raise answer
            report.failed.append(f"{a.id} sentence {s.index}: {answer}")
            by = {"topic": "model", "stance": dict.fromkeys(s.stance, "model")}
            s.review = {"by": by, "model": model, "llm": None, "error": str(answer)}
            continue
        report.changed += (answer["topic"] != s.topic) + sum(
            answer["stance"][t] != p.label for t, p in s.stance.items()
        )
        s.topic = answer["topic"]
        for t, p in s.stance.items():
            p.label = answer["stance"][t]
        by = {"topic": "llm", "stance": dict.fromkeys(s.stance, "llm")}
        s.review = {"by": by, "model": model, "llm": answer}
    for a in analyses:  # the per-target counts follow the final labels
        for t, summary in a.by_target.items():
            summary.counts = {k: sum(s.stance[t].label == k for s in a.sentences) for k in summary.counts}
    return report
