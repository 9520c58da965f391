"""Reference systems run beside the model: majority class, a zero-shot embedding baseline, Lead-3."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence

import numpy as np
import torch

from stancesum.models.article import Article
from stancesum.models.labeler_config import DEFAULT_BASE_MODEL, quiet_transformers, resolve_base_model
from stancesum.models.schema import LabelSchema


def with_labels(
    gold: Article, topics: Sequence[str | None], stances: Sequence[dict[str, str]], summary: str | None
) -> Article:
    """A copy of a gold article carrying predicted labels (same sentences, same targets)."""
    pred = copy.deepcopy(gold)
    for s, topic, stance in zip(pred.sentences, topics, stances, strict=True):
        s.topic, s.stance = topic, dict(stance)
    pred.summary, pred.annotation = summary, None  # predictions, not gold: no annotation record
    return pred


def lead_summary(article: Article, n: int = 3) -> str:
    """The first n sentences, one per line (Lead-3)."""
    return "\n".join(s.text for s in article.sentences[:n])


class MajorityBaseline:
    """Always the most frequent topic and stance of its training articles."""

    name = "majority"

    def __init__(self, train: list[Article]):
        self.topic = Counter(s.topic for a in train for s in a.sentences if s.topic).most_common(1)[0][0]
        self.stance = Counter(v for a in train for s in a.sentences for v in s.stance.values()).most_common(1)[0][0]

    def predict(self, articles: list[Article]) -> list[Article]:
        return [
            with_labels(
                a, [self.topic] * len(a.sentences), [{t: self.stance for t in a.targets}] * len(a.sentences), None
            )
            for a in articles
        ]


class Embedder:
    """Mean-pooled, L2-normalised sentence embeddings from an encoder (the base all-MiniLM-L6-v2 by default)."""

    def __init__(self, model: str = DEFAULT_BASE_MODEL, batch_size: int = 64):
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        path = resolve_base_model(model)
        self.tokenizer, self.model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
        self.batch_size = batch_size

    @torch.inference_mode()
    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = self.tokenizer(
                list(texts[i : i + self.batch_size]), padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            hidden = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(out) if out else np.zeros((0, self.model.config.hidden_size), dtype=np.float32)


class ZeroShotBaseline:
    """No training on labels. Topic: the nearest label description. Stance: a sentence unrelated to the target
    (cosine below `relevance`) is none; otherwise favor or against by which template it is closer to:
    "I support {target}." or "I oppose {target}." `relevance` is the one number tuned, on the training articles."""

    name = "zero-shot"
    FAVOR, AGAINST = "I support {}.", "I oppose {}."

    def __init__(self, schema: LabelSchema | None = None, embedder: Embedder | None = None, relevance: float = 0.3):
        self.schema = schema or LabelSchema()
        self.embed = embedder or Embedder()
        descriptions = [f"{label.replace('_', ' ')}: {text}" for label, text in self.schema.topics.items()]
        self.topic_vectors = self.embed(descriptions)
        self.relevance = relevance

    def _stance_features(self, targets: Sequence[str], sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        unique = sorted(set(targets))
        index = {t: i for i, t in enumerate(unique)}
        t_vec, f_vec, a_vec = (self.embed([fmt.format(t) for t in unique]) for fmt in ("{}", self.FAVOR, self.AGAINST))
        rows = np.array([index[t] for t in targets], dtype=int)
        relevance = (sentences * t_vec[rows]).sum(1)
        margin = (sentences * f_vec[rows]).sum(1) - (sentences * a_vec[rows]).sum(1)
        return relevance, margin

    def _pairs(self, articles: list[Article]) -> tuple[list[str], np.ndarray]:
        """(target, sentence vector) for every sentence x target; each sentence is embedded once."""
        targets = [t for a in articles for s in a.sentences for t in a.targets]
        sentence_vectors = self.embed([s.text for a in articles for s in a.sentences])
        repeats = [len(a.targets) for a in articles for _ in a.sentences]
        return targets, np.repeat(sentence_vectors, repeats, axis=0)

    def fit(self, train: list[Article], max_articles: int = 60, seed: int = 0) -> ZeroShotBaseline:
        """Choose the relevance threshold that maximises stance macro-F1 on (a seeded sample of at most
        `max_articles` of) the training articles: one number needs no more."""
        from sklearn.metrics import f1_score

        if len(train) > max_articles:
            train = [
                train[i] for i in sorted(np.random.default_rng(seed).choice(len(train), max_articles, replace=False))
            ]
        targets, vectors = self._pairs(train)
        gold = [s.stance[t] for a in train for s in a.sentences for t in a.targets]
        relevance, margin = self._stance_features(targets, vectors)
        polar = np.where(margin >= 0, "favor", "against")
        best = max(
            np.linspace(0.0, 0.8, 33),
            key=lambda tau: f1_score(gold, np.where(relevance < tau, "none", polar), average="macro"),
        )
        self.relevance = float(best)
        return self

    def predict(self, articles: list[Article]) -> list[Article]:
        labels = self.schema.topic_labels
        sentence_vectors = self.embed([s.text for a in articles for s in a.sentences])
        topics = [labels[i] for i in (sentence_vectors @ self.topic_vectors.T).argmax(1)]
        targets, pair_vectors = self._pairs(articles)
        relevance, margin = self._stance_features(targets, pair_vectors) if targets else (np.zeros(0), np.zeros(0))
        stance = np.where(relevance < self.relevance, "none", np.where(margin >= 0, "favor", "against"))
        out, t_off, s_off = [], 0, 0
        for a in articles:
            n, k = len(a.sentences), len(a.targets)
            rows = [dict(zip(a.targets, stance[s_off + i * k : s_off + (i + 1) * k], strict=True)) for i in range(n)]
            out.append(with_labels(a, topics[t_off : t_off + n], rows, None))
            t_off, s_off = t_off + n, s_off + n * k
        return out
