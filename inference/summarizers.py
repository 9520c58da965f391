"""Summarizers: the trained extractive default, TextRank, PacSum, Lead, and any Hugging Face seq2seq model
(map-reduce).

Every summarizer is a `Summarizer`: called with an article, its sentences and (optionally) the labeler's per-target
stance evidence, it returns the summary. Extracts are whole sentences in document order, one per line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from stancesum.models.article import Article, Sentence
from stancesum.models.labeler_config import ModelLoadError, quiet_transformers
from stancesum.models.sentence_features import (
    MIN_EXTRACT_WORDS,
    Budget,
    mmr_select,
    pacsum_scores,
    textrank_scores,
    word_count,
)
from stancesum.models.summarizer_config import CONFIG_FILE, DEFAULT_SUMMARIZER_DIR, read_config

if TYPE_CHECKING:
    from stancesum.models.onnx_summarizer import OnnxScorer
    from stancesum.models.summarizer import SentenceScorer

SUMMARIZER_KINDS: tuple[str, ...] = ("extractive", "llm", "seq2seq", "textrank", "pacsum", "lead")
FALLBACK_BUDGET = Budget(max_sentences=3)


def news_budget(summarizer_dir: str | Path | None = None) -> Budget:
    """The default summary length: the word budget the (default) scorer was calibrated to at training, from the
    lengths of the reference summaries; 3 sentences for a scorer without one."""
    path = Path(summarizer_dir or DEFAULT_SUMMARIZER_DIR) / CONFIG_FILE
    try:
        words = json.loads(path.read_text(encoding="utf-8")).get("budget_words")
    except (OSError, ValueError):
        words = None
    return Budget(max_words=int(words)) if words else FALLBACK_BUDGET


class StanceEvidence(Protocol):
    @property
    def index(self) -> int: ...
    @property
    def score(self) -> float: ...


class SidedTarget(Protocol):
    """What balanced mode reads per target (favor/against evidence): `stancesum.inference.results.TargetSummary`."""

    @property
    def favor(self) -> Sequence[StanceEvidence]: ...
    @property
    def against(self) -> Sequence[StanceEvidence]: ...


class Summarizer(Protocol):
    """`(article, sentences, stance=None) -> summary`; `stance` (per-target evidence) is used by balanced extracts."""

    def __call__(
        self, article: Article, sentences: list[Sentence], stance: Mapping[str, SidedTarget] | None = None
    ) -> str: ...


def make_budget(
    max_words: int | None = None,
    max_sentences: int | None = None,
    ratio: float | None = None,
    default: Budget | None = None,
) -> Budget:
    """The budget from the three limits; `default` when none is given (ValueError for a bad value)."""
    budget = Budget(max_words=max_words, max_sentences=max_sentences, ratio=ratio)
    return default if budget.unlimited and default is not None else budget


def balanced_indices(stance: Mapping[str, SidedTarget]) -> list[int]:
    """For every target with both favor and against sentences, the strongest of each side (by score)."""
    out: list[int] = []
    for summary in stance.values():
        if summary.favor and summary.against:
            out += [max(summary.favor, key=lambda e: e.score).index, max(summary.against, key=lambda e: e.score).index]
    return list(dict.fromkeys(out))


class _Extractor:
    """Shared by the extractive summarizers: sentence scores -> budgeted (MMR) selection -> document order.
    With `balanced`, the strongest favor and against sentence of each two-sided target is always kept."""

    name = "extractive"
    skip_unfitting = True  # a sentence over the word limit is passed over for a shorter one
    min_words = 0  # units under this many words are never picked (the trained default: MIN_EXTRACT_WORDS)

    def __init__(self, budget: Budget | None = None, balanced: bool = False, mmr_lambda: float = 1.0):
        self.budget, self.balanced, self.mmr_lambda = budget or news_budget(), balanced, mmr_lambda

    def scores(self, article: Article, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """(score per sentence, sentence vectors for MMR or None)."""
        raise NotImplementedError

    def select(
        self, article: Article, sentences: Sequence[Sentence], stance: Mapping[str, SidedTarget] | None = None
    ) -> list[int]:
        """Indices of the chosen sentences, in document order."""
        texts = [s.text for s in sentences]
        if not texts:
            return []
        scores, vectors = self.scores(article, texts)
        forced = balanced_indices(stance) if self.balanced and stance else []
        words = [word_count(t) for t in texts]
        return mmr_select(
            scores, vectors, words, self.budget, self.mmr_lambda, forced, self.skip_unfitting, self.min_words
        )

    def __call__(
        self, article: Article, sentences: list[Sentence], stance: Mapping[str, SidedTarget] | None = None
    ) -> str:
        return "\n".join(sentences[i].text for i in self.select(article, sentences, stance))


class LeadSummarizer(_Extractor):
    """The first sentences, up to the first that does not fit the budget (Lead-3 with the default budget)."""

    name = "lead"
    skip_unfitting = False

    def scores(self, article: Article, texts: list[str]) -> tuple[np.ndarray, None]:
        return -np.arange(len(texts), dtype=float), None


class TextRankSummarizer(_Extractor):
    """Unsupervised TextRank: PageRank over the tf-idf cosine-similarity graph of the article's sentences."""

    name = "textrank"

    def scores(self, article: Article, texts: list[str]) -> tuple[np.ndarray, None]:
        return textrank_scores(texts, "tfidf"), None


class PacSumSummarizer(_Extractor):
    """Unsupervised position-aware centrality (PacSum, tf-idf): central sentences that the rest of the article
    elaborates on, rather than ones that repeat what came before."""

    name = "pacsum"

    def scores(self, article: Article, texts: list[str]) -> tuple[np.ndarray, None]:
        return pacsum_scores(texts), None


def load_scorer(directory: str | Path, threads: int | None = None) -> SentenceScorer | OnnxScorer:
    """A trained scorer on the runtime its config names."""
    if read_config(directory).runtime == "onnx":
        from stancesum.models.onnx_summarizer import OnnxScorer

        return OnnxScorer.from_pretrained(directory, threads)
    from stancesum.models.summarizer import SentenceScorer

    return SentenceScorer.from_pretrained(directory)


class ExtractiveSummarizer(_Extractor):
    """The trained default: a sentence scorer (models.summarizer) + MMR + the budget; never a unit of under
    MIN_EXTRACT_WORDS words (a byline filling the last few words of the budget)."""

    name = "extractive"
    min_words = MIN_EXTRACT_WORDS

    def __init__(
        self,
        scorer: SentenceScorer | OnnxScorer,
        budget: Budget | None = None,
        balanced: bool = False,
        mmr_lambda: float | None = None,
        batch_size: int = 16,
    ):
        super().__init__(budget, balanced, scorer.config.mmr_lambda if mmr_lambda is None else mmr_lambda)
        self.scorer, self.batch_size = scorer, batch_size

    @classmethod
    def from_pretrained(
        cls, directory: str | Path | None = None, threads: int | None = None, **kwargs
    ) -> ExtractiveSummarizer:
        """From a scorer directory (default: the committed models/summarizer_default), on the runtime its config
        names: ONNX Runtime (no torch) or torch."""
        return cls(load_scorer(directory or DEFAULT_SUMMARIZER_DIR, threads), **kwargs)

    def scores(self, article: Article, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return self.scorer.score(texts, article.title, self.batch_size)


_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+")  # after . ! ? and any closing quote


def trim_to_budget(text: str, budget: Budget, article_sentences: int) -> str:
    """Free text cut to the budget: whole sentences while they fit, else the first words."""
    text = " ".join(text.split())
    if budget.unlimited or not text:
        return text
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()][: budget.sentence_limit(article_sentences) or None]
    limit = budget.max_words
    if limit is None:
        return " ".join(sentences)
    kept, used = [], 0
    for s in sentences:
        if used + word_count(s) > limit:
            break
        kept.append(s)
        used += word_count(s)
    return " ".join(kept) if kept else " ".join(sentences[0].split()[:limit])


class Seq2SeqSummarizer:
    """Abstractive summaries from any Hugging Face seq2seq model (BART, T5, PEGASUS, ...). An article longer than
    the model's input is cut at sentence boundaries into chunks that fit; each chunk is summarised (map) and the
    chunk summaries are summarised together (reduce), again in chunks if they still do not fit."""

    name = "seq2seq"

    def __init__(
        self,
        model: str | Path,
        budget: Budget | None = None,
        max_input_tokens: int | None = None,
        max_new_tokens: int = 128,
        num_beams: int = 4,
        batch_size: int = 4,
        max_rounds: int = 3,
    ):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        quiet_transformers()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model))
            self.model = AutoModelForSeq2SeqLM.from_pretrained(str(model)).eval()
        except Exception as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            hint = (
                ""
                if Path(str(model)).is_dir()
                else " (offline: give a local model directory or an id already in the cache)"
            )
            raise ModelLoadError(f"{model}: cannot load a seq2seq model{hint}: {first}") from err
        self.budget = budget or Budget()
        self.num_beams, self.batch_size, self.max_rounds = num_beams, batch_size, max_rounds
        params = getattr(self.model.config, "task_specific_params", None) or {}
        self.prefix = params.get("summarization", {}).get("prefix") or (
            "summarize: " if self.model.config.model_type in ("t5", "mt5") else ""
        )
        self.max_input_tokens = max_input_tokens or self._model_limit()
        self.max_new_tokens = min(max_new_tokens, self._model_limit() - 2)  # learned decoder positions run out too
        overhead = len(self.tokenizer(self.prefix)["input_ids"])  # the special tokens and the prefix
        self.room = self.max_input_tokens - overhead
        if self.room < 8:
            raise ValueError(
                f"max_input_tokens {self.max_input_tokens} leaves no room for text "
                f"after {overhead} special/prefix tokens"
            )
        self.rounds: list[int] = []  # chunks per round of the last call, for inspection

    def _model_limit(self) -> int:
        config = self.model.config
        limits = [
            getattr(config, k, None)
            for k in ("max_position_embeddings", "n_positions", "max_encoder_position_embeddings")
        ]
        limits.append(self.tokenizer.model_max_length if self.tokenizer.model_max_length < 100_000 else None)
        known = [x for x in limits if isinstance(x, int) and x > 0]
        return min(known + [1024]) if known else 512

    def chunks(self, units: Sequence[str]) -> list[str]:
        """Consecutive units packed into texts of at most `room` tokens; a unit longer than that is cut into
        token windows. Nothing is dropped."""
        lengths = (
            [len(ids) for ids in self.tokenizer(list(units), add_special_tokens=False)["input_ids"]] if units else []
        )
        out: list[str] = []
        current: list[str] = []
        used = 0
        for unit, length in zip(units, lengths, strict=True):
            if length > self.room:
                if current:
                    out.append(" ".join(current))
                    current, used = [], 0
                ids: list[int] = self.tokenizer(unit, add_special_tokens=False)["input_ids"]
                out += [str(self.tokenizer.decode(ids[i : i + self.room])) for i in range(0, len(ids), self.room)]
                continue
            if current and used + length + 1 > self.room:
                out.append(" ".join(current))
                current, used = [], 0
            current.append(unit)
            used += length + (1 if len(current) > 1 else 0)
        if current:
            out.append(" ".join(current))
        return out

    def generate(self, texts: list[str]) -> list[str]:
        """One summary per text (each already fits the input)."""
        import torch

        out: list[str] = []
        for i in range(0, len(texts), self.batch_size):
            batch = self.tokenizer(
                [self.prefix + t for t in texts[i : i + self.batch_size]],
                truncation=True,
                max_length=self.max_input_tokens,
                padding=True,
                return_tensors="pt",
            )
            with torch.inference_mode():
                ids = self.model.generate(
                    input_ids=batch["input_ids"],
                    attention_mask=batch["attention_mask"],
                    max_new_tokens=self.max_new_tokens,
                    num_beams=self.num_beams,
                )
            out += [" ".join(t.split()) for t in self.tokenizer.batch_decode(ids, skip_special_tokens=True)]
        return out

    def summarize_units(self, units: Sequence[str]) -> str:
        """Map-reduce over sentence-like units until one chunk remains (at most max_rounds rounds)."""
        self.rounds = []
        units = [u for u in units if u.strip()]
        for _ in range(self.max_rounds):
            chunks = self.chunks(units)
            self.rounds.append(len(chunks))
            outputs = self.generate(chunks)
            if len(chunks) <= 1:
                return outputs[0] if outputs else ""
            shorter = sum(len(o) for o in outputs) < sum(len(u) for u in units)
            units = [o for o in outputs if o.strip()]
            if not shorter or not units:
                break
        return " ".join(units)

    def __call__(
        self, article: Article, sentences: list[Sentence], stance: Mapping[str, SidedTarget] | None = None
    ) -> str:
        units = [s.text for s in sentences] or [article.text]
        return trim_to_budget(self.summarize_units(units), self.budget, len(units))


def build_summarizer(
    kind: str,
    model: str | None = None,
    *,
    max_words: int | None = None,
    max_sentences: int | None = None,
    ratio: float | None = None,
    balanced: bool = False,
    threads: int | None = None,
    **options,
) -> Summarizer:
    """A summarizer of `kind` (extractive | seq2seq | textrank | pacsum | lead). `model`: the scorer directory for
    extractive (default models/summarizer_default), a model directory or hub id for seq2seq (required).
    Extractive kinds default to the news budget (`news_budget`) when no limit is given; seq2seq to the model's own
    length. `threads`: CPU threads of the extractive scorer's encoder (None: all)."""
    if kind not in SUMMARIZER_KINDS:
        raise ValueError(f"unknown summarizer {kind!r}; choose one of {', '.join(SUMMARIZER_KINDS)}")
    if kind == "seq2seq":
        if model is None:
            raise ValueError("the seq2seq summarizer needs a model: a local directory or a Hugging Face id")
        if balanced:
            raise ValueError("balanced summaries need an extractive summarizer (extractive, textrank or lead)")
        return Seq2SeqSummarizer(model, make_budget(max_words, max_sentences, ratio, default=None), **options)
    budget = make_budget(
        max_words, max_sentences, ratio, default=news_budget(model if kind in ("extractive", "llm") else None)
    )
    if kind == "llm":
        from stancesum.inference.llm_assist import LlmSummarizer

        client = options.pop("llm_client", None)
        if client is None:
            raise ValueError("the llm summarizer needs a language model: pass --llm-url and --llm-model")
        extractor = ExtractiveSummarizer.from_pretrained(model, threads, budget=budget)
        return LlmSummarizer(
            client, extractor, budget, strict=options.pop("strict", False), fallback=options.pop("fallback", False)
        )
    if kind == "extractive":
        return ExtractiveSummarizer.from_pretrained(model, threads, budget=budget, balanced=balanced, **options)
    if model is not None:
        raise ValueError(f"the {kind} summarizer takes no model")
    cls = {"textrank": TextRankSummarizer, "pacsum": PacSumSummarizer, "lead": LeadSummarizer}[kind]
    return cls(budget, balanced=balanced, **options)


@dataclass
class ArticleSummary:
    """A summary of one article; `selected` lists the chosen sentences of an extractive summarizer, else None."""

    article: Article
    summary: str
    selected: list[dict] | None = None


def summarize_article(article: Article, summarizer: Summarizer, splitter=None) -> ArticleSummary:
    """Summarise one article with its own sentences (or the spaCy split); ValueError when it has no sentences."""
    from stancesum.models.segmentation import SegmentationError, SentenceSplitter

    sentences = article.sentences
    if not sentences:
        try:
            sentences = (splitter or SentenceSplitter()).split(article.text)
        except SegmentationError as err:
            raise ValueError(str(err)) from None
    if not sentences:
        raise ValueError("no sentences found in the text")
    if isinstance(summarizer, _Extractor):
        chosen = summarizer.select(article, sentences)
        return ArticleSummary(
            article,
            "\n".join(sentences[i].text for i in chosen),
            [
                {"index": i, "start": sentences[i].start, "end": sentences[i].end, "text": sentences[i].text}
                for i in chosen
            ],
        )
    return ArticleSummary(article, summarizer(article, sentences))
