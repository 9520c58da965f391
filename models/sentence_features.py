"""Per-sentence features for extractive summarization (word frequency, position, title overlap, TextRank and PacSum
centrality, embedding similarity), the summary budget, and budgeted MMR selection. numpy only: the trained
scorer's inference path (ONNX) runs on these without torch or scikit-learn."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

N_LEXICAL = 15  # lexical_features columns
N_SEMANTIC = 3  # semantic_features columns
_TOKEN_RE = re.compile(r"[a-z0-9]+")


_WORD_RE = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
STOP_WORDS_FILE = Path(__file__).resolve().parent / "english_stop_words.txt"


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, read from a copy: importing scikit-learn costs about 2 s of start-up."""
    lines = STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def _content_stop_words() -> frozenset[str]:
    return english_stop_words() | {"said", "says", "mr", "mrs", "ms"}


def content_tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens that are not stop words."""
    stop = _content_stop_words()
    return [t for t in _TOKEN_RE.findall(text.lower()) if t not in stop]


def term_counts(sentences: Sequence[str]) -> np.ndarray:
    """Sentence x term counts of the words scikit-learn's CountVectorizer(stop_words="english") keeps (lower-cased,
    2+ word characters, no stop words); ValueError when no sentence has such a word, as scikit-learn raises."""
    stop = english_stop_words()
    tokens = [[t for t in _WORD_RE.findall(s.lower()) if t not in stop] for s in sentences]
    vocabulary = {t: i for i, t in enumerate(sorted({t for toks in tokens for t in toks}))}
    if not vocabulary:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    counts = np.zeros((len(sentences), len(vocabulary)))
    for row, toks in enumerate(tokens):
        for t in toks:
            counts[row, vocabulary[t]] += 1
    return counts


def tfidf_vectors(sentences: Sequence[str], counts: np.ndarray | None = None) -> np.ndarray:
    """scikit-learn's TfidfVectorizer(stop_words="english", sublinear_tf=True) in numpy (dense, one row per
    sentence): 1 + log tf, smoothed idf, rows scaled to unit length. Tested against scikit-learn. `counts`: the
    sentences' term_counts, when the caller has them already."""
    counts = term_counts(sentences) if counts is None else counts
    tf = np.where(counts > 0, 1.0 + np.log(np.maximum(counts, 1.0)), 0.0)
    idf = np.log((1 + len(sentences)) / (1 + (counts > 0).sum(0))) + 1.0
    weights = tf * idf
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    return weights / np.where(norms > 0, norms, 1.0)


def word_count(text: str) -> int:
    return len(text.split())


def pagerank(similarity: np.ndarray, damping: float = 0.85, iterations: int = 100) -> np.ndarray:
    """PageRank over a weighted sentence graph (the diagonal is ignored; a sentence with no edges links to all)."""
    n = similarity.shape[0]
    sims = similarity.astype(float).copy()
    np.fill_diagonal(sims, 0.0)
    rows = sims.sum(1, keepdims=True)
    transition = np.where(rows > 0, sims / np.where(rows > 0, rows, 1.0), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        updated = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(updated - rank).sum() < 1e-9:
            return updated
        rank = updated
    return rank


def textrank_scores(
    sentences: Sequence[str], similarity: str = "tfidf", counts: np.ndarray | None = None
) -> np.ndarray:
    """TextRank centrality of each sentence (sums to 1) over a graph of content-word similarity: "tfidf" (cosine
    of tf-idf vectors) or "overlap" (shared words / (log len + log len), as in Mihalcea & Tarau 2004). `counts`:
    the sentences' term_counts, when the caller has them already."""
    n = len(sentences)
    try:
        counts = term_counts(sentences) if counts is None else counts
        if similarity == "tfidf":
            matrix = tfidf_vectors(sentences, counts)
            sims = matrix @ matrix.T
        else:
            counts = (counts > 0).astype(float)
            logs = np.log(np.maximum(counts.sum(1), 2))
            sims = (counts @ counts.T) / (logs[:, None] + logs[None, :])
    except ValueError:  # no content words at all
        return np.full(n, 1.0 / n)
    return pagerank(sims)


def pacsum_scores(
    sentences: Sequence[str],
    lambda1: float = -2.0,
    lambda2: float = 1.0,
    beta: float = 0.6,
    counts: np.ndarray | None = None,
) -> np.ndarray:
    """Position-aware centrality (PacSum, Zheng & Lapata 2019, tf-idf variant): a sentence gains from being
    similar to the sentences after it (weight lambda2) and loses for being similar to those before it (lambda1),
    over edges above min + beta (max - min) of the article's tf-idf cosines. Unsupervised. `counts`: the
    sentences' term_counts, when the caller has them already."""
    n = len(sentences)
    if n < 2:
        return np.ones(n)
    try:
        matrix = tfidf_vectors(sentences, counts)
    except ValueError:  # no content words at all
        return -np.arange(n, dtype=float)
    sims = matrix @ matrix.T
    off = sims[~np.eye(n, dtype=bool)]
    edges = np.maximum(sims - (off.min() + beta * (off.max() - off.min())), 0.0)
    np.fill_diagonal(edges, 0.0)
    before, after = np.tril(edges, -1).sum(1), np.triu(edges, 1).sum(1)
    return lambda1 * before + lambda2 * after


def _rank_share(values: np.ndarray) -> np.ndarray:
    """1 for the highest value of the article, 0 for the lowest (ties in document order)."""
    return 1.0 - np.argsort(np.argsort(-values, kind="stable"), kind="stable") / max(len(values) - 1, 1)


def lexical_features(sentences: Sequence[str], title: str | None) -> np.ndarray:
    """Per sentence: how frequent its words are in the article (mean, sum, rank), repetition, overlap with the
    title, length, position, article length, TextRank centrality (tf-idf and word-overlap graphs) and PacSum's
    position-aware centrality (scaled and ranked);
    shape (n, N_LEXICAL), every column in 0..1."""
    n = len(sentences)
    tokens = [content_tokens(s) for s in sentences]
    counts = Counter(t for toks in tokens for t in toks)
    top = max(counts.values(), default=1)
    mean_freq = np.array([np.mean([counts[t] for t in toks]) / top if toks else 0.0 for toks in tokens])
    sum_freq = np.array([sum(counts[t] for t in toks) for toks in tokens], dtype=float)
    sum_freq = sum_freq / max(sum_freq.max(initial=0.0), 1.0)
    repeated = np.array([np.mean([counts[t] > 1 for t in toks]) if toks else 0.0 for toks in tokens])
    title_tokens = set(content_tokens(title)) if title else set()
    overlap = np.array([len(title_tokens & set(toks)) / len(title_tokens) if title_tokens else 0.0 for toks in tokens])
    words = np.array([word_count(s) for s in sentences], dtype=float)
    index = np.arange(n, dtype=float)
    if not n:
        return np.zeros((0, N_LEXICAL), np.float32)
    try:  # counted once for the three centralities
        terms: np.ndarray | None = term_counts(sentences)
    except ValueError:  # no content words at all: each centrality falls back on its own
        terms = None
    central, linked = textrank_scores(sentences, "tfidf", terms), textrank_scores(sentences, "overlap", terms)
    pac = pacsum_scores(sentences, counts=terms)
    pac_scaled = (pac - pac.min()) / (pac.max() - pac.min()) if n > 1 and pac.max() > pac.min() else np.ones(n)
    columns = [
        mean_freq,
        sum_freq,
        _rank_share(mean_freq),
        repeated,
        overlap,
        np.log1p(words) / 5.0,
        index / max(n - 1, 1),
        1.0 / (index + 1.0),
        np.full(n, math.log1p(n) / 5.0),
        np.full(n, 1.0 if title_tokens else 0.0),
        np.minimum(central * n / 3.0, 1.0),
        np.minimum(linked * n / 3.0, 1.0),
        _rank_share(central),
        pac_scaled,
        _rank_share(pac),
    ]
    return np.clip(np.stack(columns, axis=1), 0.0, 1.0).astype(np.float32)


def semantic_features(embeddings: np.ndarray, title: np.ndarray | None) -> np.ndarray:
    """Per sentence: cosine similarity to the article centroid, to the title, and mean similarity to the other
    sentences (vectors L2-normalised); shape (n, N_SEMANTIC)."""
    n = embeddings.shape[0]
    centroid = embeddings.mean(0)
    centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    to_title = embeddings @ title if title is not None else np.zeros(n, np.float32)
    sims = embeddings @ embeddings.T
    to_others = (sims.sum(1) - sims.diagonal()) / max(n - 1, 1)
    return np.stack([embeddings @ centroid, to_title, to_others], axis=1).astype(np.float32)


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (as torch.nn.functional.normalize)."""
    return (vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


def document_features(embeddings: np.ndarray, title: np.ndarray | None, lexical: np.ndarray) -> np.ndarray:
    """The scorer's per-sentence input besides the vector: lexical then semantic features."""
    return np.concatenate([lexical, semantic_features(embeddings, title)], axis=1).astype(np.float32)


@dataclass(frozen=True)
class Budget:
    """How long a summary may be: every limit given applies. `ratio` is a share of the article's sentences
    (rounded up, as the BBC News Summary extracts were cut: ceil(0.4 n) sentences in 94% of the train split)."""

    max_words: int | None = None
    max_sentences: int | None = None
    ratio: float | None = None

    def __post_init__(self) -> None:
        if self.max_words is not None and self.max_words < 1:
            raise ValueError(f"max_words must be at least 1, got {self.max_words}")
        if self.max_sentences is not None and self.max_sentences < 1:
            raise ValueError(f"max_sentences must be at least 1, got {self.max_sentences}")
        if self.ratio is not None and not 0.0 < self.ratio <= 1.0:
            raise ValueError(f"ratio must be in (0, 1], got {self.ratio}")

    @property
    def unlimited(self) -> bool:
        return self.max_words is None and self.max_sentences is None and self.ratio is None

    def sentence_limit(self, article_sentences: int) -> int | None:
        """The most sentences allowed for an article of `article_sentences` sentences (None: no limit)."""
        limits = [
            x
            for x in (self.max_sentences, math.ceil(self.ratio * article_sentences - 1e-9) if self.ratio else None)
            if x
        ]
        return max(1, min(limits)) if limits else None


MIN_EXTRACT_WORDS = 4  # shorter units are bylines, datelines and headings, not summary sentences


def mmr_select(
    scores: np.ndarray,
    embeddings: np.ndarray | None,
    words: Sequence[int],
    budget: Budget,
    mmr_lambda: float = 1.0,
    forced: Sequence[int] = (),
    skip_unfitting: bool = True,
    min_words: int = 0,
) -> list[int]:
    """Greedy maximal marginal relevance under a budget: repeatedly take the sentence with the best
    lambda * score - (1 - lambda) * (max cosine to the chosen ones) that still fits the word limit
    (with skip_unfitting=False, stop at the first best sentence that does not fit instead).
    `forced` sentences come first and are kept even past the budget. Units under `min_words` words (bylines,
    datelines, headings) are passed over unless every unit is that short. At least one sentence is chosen
    (the best, when no sentence alone fits the word limit). Returns indices in document order."""
    n = len(scores)
    if n == 0:
        return []
    limit = budget.max_words
    max_sentences = budget.sentence_limit(n) or n
    chosen = list(dict.fromkeys(int(i) for i in forced if 0 <= int(i) < n))
    used = sum(words[i] for i in chosen)
    sims = embeddings @ embeddings.T if embeddings is not None and mmr_lambda < 1.0 else None
    candidates = [i for i in range(n) if i not in chosen and words[i] >= min_words]
    if not candidates and not chosen:
        candidates = list(range(n))
    while candidates and len(chosen) < max_sentences:
        redundancy = np.zeros(n) if sims is None or not chosen else sims[:, chosen].max(axis=1)
        value = mmr_lambda * np.asarray(scores, dtype=float) - (1.0 - mmr_lambda) * redundancy
        ranked = sorted(candidates, key=lambda i: (-value[i], i))
        fitting = [i for i in ranked if limit is None or used + words[i] <= limit]
        if not skip_unfitting:
            fitting = fitting[:1] if fitting and fitting[0] == ranked[0] else []
        if fitting:
            best = fitting[0]
        elif not chosen:
            best = ranked[0]
        else:
            break
        chosen.append(best)
        used += words[best]
        candidates.remove(best)
    return sorted(chosen)
