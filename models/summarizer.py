"""The extractive sentence scorer: a frozen sentence encoder, per-sentence features of position and article
context, and a small trained transformer over the article's sentences; plus budgeted MMR selection."""

from __future__ import annotations

import json
import math
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from stancesum.models.labeler_config import DEFAULT_BASE_MODEL, ModelLoadError, quiet_transformers, resolve_base_model

if TYPE_CHECKING:
    from transformers import PreTrainedModel

CONFIG_FILE = "summarizer_config.json"
HEAD_FILE = "scorer_head.safetensors"
ENCODER_DIR = "encoder"
FORMAT_VERSION = 1
MODEL_KIND = "stancesum-extractive-scorer"
DEFAULT_SUMMARIZER_DIR = Path(__file__).resolve().parent / "summarizer_default"
N_LEXICAL = 15  # lexical_features columns
N_SEMANTIC = 3  # embedding-similarity columns added by SentenceScorer.features
_TOKEN_RE = re.compile(r"[a-z0-9]+")


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | {"said", "says", "mr", "mrs", "ms"})


_STOP: frozenset[str] | None = None


def content_tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens that are not stop words."""
    global _STOP
    if _STOP is None:
        _STOP = _stop_words()
    return [t for t in _TOKEN_RE.findall(text.lower()) if t not in _STOP]


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


def textrank_scores(sentences: Sequence[str], similarity: str = "tfidf") -> np.ndarray:
    """TextRank centrality of each sentence (sums to 1) over a graph of content-word similarity: "tfidf" (cosine
    of tf-idf vectors) or "overlap" (shared words / (log len + log len), as in Mihalcea & Tarau 2004)."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    n = len(sentences)
    try:
        if similarity == "tfidf":
            matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(sentences)
            sims = (matrix @ matrix.T).toarray()
        else:
            counts = CountVectorizer(stop_words="english", binary=True).fit_transform(sentences)
            logs = np.log(np.maximum(np.asarray(counts.sum(1)).ravel(), 2))
            sims = (counts @ counts.T).toarray() / (logs[:, None] + logs[None, :])
    except ValueError:  # no content words at all
        return np.full(n, 1.0 / n)
    return pagerank(sims)


def pacsum_scores(
    sentences: Sequence[str], lambda1: float = -2.0, lambda2: float = 1.0, beta: float = 0.6
) -> np.ndarray:
    """Position-aware centrality (PacSum, Zheng & Lapata 2019, tf-idf variant): a sentence gains from being
    similar to the sentences after it (weight lambda2) and loses for being similar to those before it (lambda1),
    over edges above min + beta (max - min) of the article's tf-idf cosines. Unsupervised."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(sentences)
    if n < 2:
        return np.ones(n)
    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(sentences)
    except ValueError:  # no content words at all
        return -np.arange(n, dtype=float)
    sims = (matrix @ matrix.T).toarray()
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
    central, linked = textrank_scores(sentences, "tfidf"), textrank_scores(sentences, "overlap")
    pac = pacsum_scores(sentences)
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


@dataclass
class SummarizerConfig:
    """What a scorer directory needs besides its weights."""

    base_model: str = DEFAULT_BASE_MODEL
    max_length: int = 128
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    dropout: float = 0.1
    position_buckets: int = 32
    # "base": the encoder is the untouched base model, loaded from its package, not saved;
    # "full": the encoder is saved in encoder/ (a model that is not the packaged base, e.g. in tests).
    encoder_weights: str = "base"
    # Encode with the encoder's Linear layers dynamically quantized to int8 (done at load time; several times
    # faster on CPU). The head must be trained on vectors made the same way.
    quantize: bool = False
    mmr_lambda: float = 1.0  # the relevance/redundancy trade-off chosen on dev; the default at inference
    # The default summary length (words), decided from the reference summaries at training; None: 3 sentences.
    budget_words: int | None = None

    def __post_init__(self) -> None:
        if self.encoder_weights not in ("base", "full"):
            raise ValueError(f"encoder_weights must be 'base' or 'full', got {self.encoder_weights!r}")
        if not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be in 8..512, got {self.max_length}")
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be a multiple of heads ({self.heads})")
        if not 0.0 <= self.mmr_lambda <= 1.0:
            raise ValueError(f"mmr_lambda must be in 0..1, got {self.mmr_lambda}")

    def to_dict(self) -> dict:
        return {"format_version": FORMAT_VERSION, "kind": MODEL_KIND, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> SummarizerConfig:
        if data.get("kind") != MODEL_KIND:
            raise ValueError(f"not an extractive scorer config (kind {data.get('kind')!r})")
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})


class ScorerHead(nn.Module):
    """Sentence vectors and features -> a transformer over the article's sentences -> one logit per sentence."""

    def __init__(self, embedding_dim: int, config: SummarizerConfig):
        super().__init__()
        n_features = N_LEXICAL + N_SEMANTIC
        self.project = nn.Linear(embedding_dim + n_features, config.hidden)
        self.position = nn.Embedding(config.position_buckets, config.hidden)
        layer = nn.TransformerEncoderLayer(
            config.hidden, config.heads, 2 * config.hidden, config.dropout, batch_first=True, norm_first=True
        )
        self.context = nn.TransformerEncoder(layer, config.layers, enable_nested_tensor=False)
        self.out = nn.Sequential(nn.LayerNorm(config.hidden), nn.Linear(config.hidden, 1))
        self.feature_skip = nn.Linear(n_features, 1)
        self.buckets = config.position_buckets

    def forward(self, embeddings: torch.Tensor, features: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """embeddings (B, N, D), features (B, N, F), mask (B, N) true for real sentences -> logits (B, N)."""
        positions = torch.arange(embeddings.shape[1], device=embeddings.device).clamp(max=self.buckets - 1)
        h = self.project(torch.cat([embeddings, features], dim=-1)) + self.position(positions)[None]
        h = self.context(h, src_key_padding_mask=~mask)
        return self.out(h).squeeze(-1) + self.feature_skip(features).squeeze(-1)


class SentenceScorer(nn.Module):
    """Scores how summary-worthy each sentence of an article is (a probability per sentence)."""

    encoder: PreTrainedModel

    def __init__(self, encoder: PreTrainedModel, tokenizer, config: SummarizerConfig):
        super().__init__()
        self.encoder, self.tokenizer, self.config = encoder, tokenizer, config
        self.encoder.requires_grad_(False)
        self.head = ScorerHead(encoder.config.hidden_size, config)
        object.__setattr__(self, "_quantized", None)  # not a registered sub-module: never saved

    def _inference_encoder(self) -> nn.Module:  # the fp32 encoder or its int8 copy
        """The encoder as used for vectors: as loaded, or (config.quantize) an int8 dynamically quantized copy."""
        if not self.config.quantize:
            return self.encoder
        if self._quantized is None:
            with warnings.catch_warnings():  # torch's notice that this API is moving to torchao
                warnings.simplefilter("ignore")
                quantized = torch.ao.quantization.quantize_dynamic(self.encoder, {nn.Linear}, dtype=torch.qint8)
            object.__setattr__(self, "_quantized", quantized.eval())
        return self._quantized  # type: ignore[return-value]

    @classmethod
    def from_base(cls, base_model: str = DEFAULT_BASE_MODEL, **config_kwargs) -> SentenceScorer:
        """A fresh head on the (frozen) base encoder."""
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        path = resolve_base_model(base_model)
        config = SummarizerConfig(base_model=base_model, **config_kwargs)
        return cls(AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path), config)

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> SentenceScorer:
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        directory = Path(directory)
        if not directory.is_dir():
            raise ModelLoadError(f"{directory}: summarizer directory does not exist")
        if not (directory / CONFIG_FILE).is_file():
            raise ModelLoadError(f"{directory}: not a stancesum summarizer directory (no {CONFIG_FILE})")
        try:
            config = SummarizerConfig.from_dict(json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8")))
            source = (
                resolve_base_model(config.base_model) if config.encoder_weights == "base" else directory / ENCODER_DIR
            )
            model = cls(AutoModel.from_pretrained(source), AutoTokenizer.from_pretrained(source), config)
            model.head.load_state_dict(load_file(directory / HEAD_FILE))
        except Exception as err:  # any unreadable piece: the directory and the cause, on one line
            lines = [x.strip() for x in str(err).splitlines() if x.strip()][:2]
            raise ModelLoadError(
                f"{directory}: broken summarizer directory ({' '.join(lines) or type(err).__name__})"
            ) from err
        return model.eval()

    def save_pretrained(self, directory: str | Path) -> Path:
        """Config and head weights; the encoder and tokenizer too when config.encoder_weights == 'full'."""
        from safetensors.torch import save_file

        quiet_transformers()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        save_file({k: v.detach().contiguous() for k, v in self.head.state_dict().items()}, directory / HEAD_FILE)
        if self.config.encoder_weights == "full":
            self.encoder.save_pretrained(directory / ENCODER_DIR)
            self.tokenizer.save_pretrained(directory / ENCODER_DIR)
        (directory / CONFIG_FILE).write_text(json.dumps(self.config.to_dict(), indent=2) + "\n", encoding="utf-8")
        for path in directory.rglob("*"):
            if path.is_file():
                path.chmod(0o644)
        return directory

    @torch.inference_mode()
    def embed(self, texts: Sequence[str], batch_size: int = 16) -> torch.Tensor:
        """Mean-pooled, L2-normalised sentence vectors of the frozen encoder, in length-sorted batches."""
        dim = self.encoder.config.hidden_size
        encoder = self._inference_encoder()
        out = torch.zeros(len(texts), dim)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for begin in range(0, len(order), batch_size):
            idx = order[begin : begin + batch_size]
            batch = self.tokenizer(
                [texts[i] for i in idx],
                truncation=True,
                max_length=self.config.max_length,
                padding=True,
                return_tensors="pt",
            )
            hidden = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out[torch.as_tensor(idx)] = nn.functional.normalize(pooled.float(), dim=-1)
        return out

    @staticmethod
    def features(embeddings: torch.Tensor, title: torch.Tensor | None, lexical: np.ndarray) -> torch.Tensor:
        """Lexical features plus similarity to the article centroid, to the title, and mean similarity to the others."""
        n = embeddings.shape[0]
        centroid = nn.functional.normalize(embeddings.mean(0), dim=-1)
        to_centroid = embeddings @ centroid
        to_title = embeddings @ title if title is not None else torch.zeros(n)
        sims = embeddings @ embeddings.T
        to_others = (sims.sum(1) - sims.diagonal()) / max(n - 1, 1)
        semantic = torch.stack([to_centroid, to_title, to_others], dim=1)
        return torch.cat([torch.from_numpy(lexical), semantic], dim=1).float()

    def document_inputs(
        self, sentences: Sequence[str], title: str | None, batch_size: int = 16
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(sentence vectors, features) of one article; the title is embedded in the same pass."""
        texts = list(sentences) + ([title] if title else [])
        vectors = self.embed(texts, batch_size)
        embeddings, title_vector = (vectors[:-1], vectors[-1]) if title else (vectors, None)
        return embeddings, self.features(embeddings, title_vector, lexical_features(sentences, title))

    @torch.inference_mode()
    def score(
        self, sentences: Sequence[str], title: str | None = None, batch_size: int = 16
    ) -> tuple[np.ndarray, np.ndarray]:
        """(probability per sentence, sentence vectors) for one article; `batch_size` sentences per encoder pass."""
        if not sentences:
            return np.zeros(0, np.float32), np.zeros((0, self.encoder.config.hidden_size), np.float32)
        self.eval()
        embeddings, features = self.document_inputs(sentences, title, batch_size)
        mask = torch.ones(1, len(sentences), dtype=torch.bool)
        logits = self.head(embeddings[None], features[None], mask)[0]
        return torch.sigmoid(logits).numpy(), embeddings.numpy()


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


def mmr_select(
    scores: np.ndarray,
    embeddings: np.ndarray | None,
    words: Sequence[int],
    budget: Budget,
    mmr_lambda: float = 1.0,
    forced: Sequence[int] = (),
    skip_unfitting: bool = True,
) -> list[int]:
    """Greedy maximal marginal relevance under a budget: repeatedly take the sentence with the best
    lambda * score - (1 - lambda) * (max cosine to the chosen ones) that still fits the word limit
    (with skip_unfitting=False, stop at the first best sentence that does not fit instead).
    `forced` sentences come first and are kept even past the budget. At least one sentence is chosen
    (the best, when no sentence alone fits the word limit). Returns indices in document order."""
    n = len(scores)
    if n == 0:
        return []
    limit = budget.max_words
    max_sentences = budget.sentence_limit(n) or n
    chosen = list(dict.fromkeys(int(i) for i in forced if 0 <= int(i) < n))
    used = sum(words[i] for i in chosen)
    sims = embeddings @ embeddings.T if embeddings is not None and mmr_lambda < 1.0 else None
    candidates = [i for i in range(n) if i not in chosen]
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
