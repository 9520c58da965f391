"""The trained extractive scorer without torch (runtime "onnx"): the base encoder with mean pooling as a per-channel
int8 ONNX Runtime graph (models.onnx_encoder; exported once, which needs torch, and cached), the small head and the
features in numpy. Scoring needs neither torch nor transformers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stancesum.models.labeler_config import ModelLoadError, resolve_base_model
from stancesum.models.onnx_encoder import PooledEncoder, cache_root, export_pooled, fingerprint
from stancesum.models.sentence_features import document_features, lexical_features, normalize
from stancesum.models.summarizer_config import (
    ENCODER_DELTA_FILE,
    ENCODER_DIR,
    HEAD_FILE,
    SummarizerConfig,
    read_config,
)

if TYPE_CHECKING:
    import torch

ENCODER_FILE = "encoder.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"


def encoder_source(config: SummarizerConfig, directory: Path) -> str:
    """Where a scorer's encoder comes from: the base model's package (or hub id), the directory's encoder/, or
    (a "delta" scorer) the scorer directory itself, whose delta file applies to the base model."""
    if config.encoder_weights == "base":
        return resolve_base_model(config.base_model)
    return str(directory / ENCODER_DIR) if config.encoder_weights == "full" else str(directory)


def encoder_export_dir(source: str) -> Path:
    """The cache folder of a mean-pooled int8 export of the encoder at `source` (a folder, or a hub id by name)."""
    names = ("config.json", "model.safetensors", "pytorch_model.bin", TOKENIZER_FILE)
    root = Path(source)
    files = [root / name for name in names]
    salt = f"mean-pooled:{source if not root.is_dir() else ''}"
    if (root / ENCODER_DELTA_FILE).is_file():  # a delta scorer: its delta and the base it applies to
        base = resolve_base_model(read_config(root).base_model)
        files += [root / ENCODER_DELTA_FILE] + [Path(base) / name for name in names]
        salt += f":delta-over:{base if not Path(base).is_dir() else ''}"
    return cache_root() / "onnx" / fingerprint(files, root, salt)


def export_encoder(encoder: torch.nn.Module, tokenizer, folder: Path) -> Path:
    """The encoder with mean pooling as an int8 graph, and its tokenizer, into `folder` (each file whole)."""
    import os

    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    folder.mkdir(parents=True, exist_ok=True)
    sample = tokenizer(
        ["a first sentence", "a second, longer sentence of the batch"], padding=True, return_tensors="pt"
    )
    partial = folder / f".{TOKENIZER_FILE}.{os.getpid()}"
    tokenizer.backend_tokenizer.save(str(partial))
    os.replace(partial, folder / TOKENIZER_FILE)
    return export_pooled(Pooled(), dict(sample), folder / ENCODER_FILE)  # the tokenizer's own inputs


def export_scorer(directory: str | Path, config: SummarizerConfig | None = None) -> Path:
    """The cached int8 encoder graph of a scorer directory (whose config may be given, already read), exported now
    if missing (needs torch then)."""
    directory = Path(directory)
    folder = encoder_export_dir(encoder_source(config or read_config(directory), directory))
    if not (folder / ENCODER_FILE).is_file():
        from stancesum.models.summarizer import SentenceScorer

        scorer = SentenceScorer.from_pretrained(directory)
        export_encoder(scorer.encoder, scorer.tokenizer, folder)
    return folder / ENCODER_FILE


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyHead:
    """The numpy twin of models.summarizer.ScorerHead (inference, one article): a pre-norm transformer over the
    article's sentences. A few thousand weights: numpy runs it in well under a millisecond."""

    def __init__(self, weights: dict[str, np.ndarray], config: SummarizerConfig):
        self.w, self.config = weights, config

    def _attention(self, x: np.ndarray, prefix: str) -> np.ndarray:
        n, hidden = x.shape
        heads = self.config.heads
        qkv = x @ self.w[f"{prefix}.in_proj_weight"].T + self.w[f"{prefix}.in_proj_bias"]
        q, k, v = (part.reshape(n, heads, hidden // heads).transpose(1, 0, 2) for part in np.split(qkv, 3, axis=-1))
        logits = q @ k.transpose(0, 2, 1) / np.sqrt(hidden // heads)
        attn = np.exp(logits - logits.max(-1, keepdims=True))
        attn /= attn.sum(-1, keepdims=True)
        mixed = (attn @ v).transpose(1, 0, 2).reshape(n, hidden)
        return mixed @ self.w[f"{prefix}.out_proj.weight"].T + self.w[f"{prefix}.out_proj.bias"]

    def __call__(self, embeddings: np.ndarray, features: np.ndarray) -> np.ndarray:
        """embeddings (N, D), features (N, F) of one article -> probability per sentence (N,)."""
        w = self.w
        positions = np.minimum(np.arange(len(embeddings)), self.config.position_buckets - 1)
        h = np.concatenate([embeddings, features], -1) @ w["project.weight"].T + w["project.bias"]
        h = h + w["position.weight"][positions]
        for i in range(self.config.layers):
            p = f"context.layers.{i}"
            h = h + self._attention(_layer_norm(h, w[f"{p}.norm1.weight"], w[f"{p}.norm1.bias"]), f"{p}.self_attn")
            x = _layer_norm(h, w[f"{p}.norm2.weight"], w[f"{p}.norm2.bias"])
            x = np.maximum(x @ w[f"{p}.linear1.weight"].T + w[f"{p}.linear1.bias"], 0.0)
            h = h + x @ w[f"{p}.linear2.weight"].T + w[f"{p}.linear2.bias"]
        h = _layer_norm(h, w["out.0.weight"], w["out.0.bias"])
        logits = (h @ w["out.1.weight"].T + w["out.1.bias"])[:, 0]
        logits = logits + (features @ w["feature_skip.weight"].T + w["feature_skip.bias"])[:, 0]
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


class OnnxScorer:
    """SentenceScorer.score on ONNX Runtime: the same probabilities (up to int8 rounding) without torch."""

    def __init__(self, config: SummarizerConfig, encoder: PooledEncoder, head: NumpyHead):
        self.config, self.encoder, self.head = config, encoder, head

    @classmethod
    def from_pretrained(cls, directory: str | Path, threads: int | None = None) -> OnnxScorer:
        """A scorer directory whose config says runtime "onnx"; its encoder graph is exported on first use."""
        directory = Path(directory)
        config = read_config(directory)
        if config.runtime != "onnx":
            raise ModelLoadError(f"{directory}: runtime is {config.runtime!r}, not 'onnx'")
        try:
            from safetensors.numpy import load_file

            head = NumpyHead(load_file(directory / HEAD_FILE), config)
            folder = export_scorer(directory, config).parent
            encoder = PooledEncoder(folder / ENCODER_FILE, folder / TOKENIZER_FILE, config.max_length, threads)
            return cls(config, encoder, head)
        except ModelLoadError:
            raise
        except Exception as err:  # any unreadable piece: the directory and the cause, on one line
            lines = [x.strip() for x in str(err).splitlines() if x.strip()][:2]
            raise ModelLoadError(
                f"{directory}: broken summarizer directory ({' '.join(lines) or type(err).__name__})"
            ) from err

    def score(
        self, sentences: Sequence[str], title: str | None = None, batch_size: int = 16
    ) -> tuple[np.ndarray, np.ndarray]:
        """(probability per sentence, sentence vectors) for one article, as SentenceScorer.score."""
        if not sentences:
            return np.zeros(0, np.float32), np.zeros((0, self.encoder.dim), np.float32)
        texts = list(sentences) + ([title] if title else [])
        vectors = normalize(self.encoder.pooled(texts, None, batch_size))
        embeddings, title_vector = (vectors[:-1], vectors[-1]) if title else (vectors, None)
        features = document_features(embeddings, title_vector, lexical_features(sentences, title))
        return self.head(embeddings, features), embeddings
