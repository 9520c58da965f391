"""The extractive sentence scorer: a frozen sentence encoder, per-sentence features of position and article
context (models.sentence_features), and a small trained transformer over the article's sentences. This is the torch
side (training, and inference with runtime "torch"); models.onnx_summarizer runs a trained scorer without torch."""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from stancesum.models.labeler_config import (
    DEFAULT_BASE_MODEL,
    ModelLoadError,
    apply_encoder_delta,
    quiet_transformers,
    resolve_base_model,
)
from stancesum.models.sentence_features import (
    N_LEXICAL,
    N_SEMANTIC,
    document_features,
    lexical_features,
    normalize,
)
from stancesum.models.summarizer_config import (
    CONFIG_FILE,
    ENCODER_DELTA_FILE,
    ENCODER_DIR,
    HEAD_FILE,
    SummarizerConfig,
    read_config,
)

if TYPE_CHECKING:
    from transformers import PreTrainedModel

    from stancesum.models.onnx_encoder import PooledEncoder


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


FROZEN_ENCODER_WEIGHTS = ("embeddings.word_embeddings.weight",)  # kept from the base when the encoder is fine-tuned


class SentenceScorer(nn.Module):
    """Scores how summary-worthy each sentence of an article is (a probability per sentence)."""

    encoder: PreTrainedModel

    def __init__(self, encoder: PreTrainedModel, tokenizer, config: SummarizerConfig, source: str | None = None):
        super().__init__()
        self.encoder, self.tokenizer, self.config = encoder, tokenizer, config
        self.source = source  # where the encoder was loaded from (names its cached ONNX export); None: in memory
        self.encoder.requires_grad_(False)
        self.head = ScorerHead(encoder.config.hidden_size, config)
        object.__setattr__(self, "_quantized", None)  # not registered sub-modules: never saved
        object.__setattr__(self, "_onnx", None)

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

    def onnx_encoder(self) -> PooledEncoder:
        """The encoder as runtime "onnx" runs it (exported on first use, cached by source; in-memory encoders are
        exported to a temporary folder that lives as long as this scorer)."""
        from stancesum.models.onnx_encoder import PooledEncoder
        from stancesum.models.onnx_summarizer import encoder_export_dir, export_encoder

        if self._onnx is None:
            if self.source is None:
                holder = tempfile.TemporaryDirectory(prefix="stancesum-onnx-")
                object.__setattr__(self, "_onnx_tmp", holder)
                folder = Path(holder.name)
            else:
                folder = encoder_export_dir(self.source)
            if not (folder / "encoder.int8.onnx").is_file():
                export_encoder(self.encoder, self.tokenizer, folder)
            encoder = PooledEncoder(folder / "encoder.int8.onnx", folder / "tokenizer.json", self.config.max_length)
            object.__setattr__(self, "_onnx", encoder)
        return self._onnx  # type: ignore[return-value]

    @classmethod
    def from_base(cls, base_model: str = DEFAULT_BASE_MODEL, **config_kwargs) -> SentenceScorer:
        """A fresh head on the (frozen) base encoder."""
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        path = resolve_base_model(base_model)
        config = SummarizerConfig(base_model=base_model, **config_kwargs)
        return cls(AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path), config, source=path)

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> SentenceScorer:
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        from stancesum.models.onnx_summarizer import encoder_source

        quiet_transformers()
        directory = Path(directory)
        config = read_config(directory)
        try:
            source = encoder_source(config, directory)
            if config.encoder_weights == "delta":
                base = resolve_base_model(config.base_model)
                encoder, tokenizer = AutoModel.from_pretrained(base), AutoTokenizer.from_pretrained(base)
                apply_encoder_delta(encoder, load_file(directory / ENCODER_DELTA_FILE), config.base_model)
            else:
                encoder, tokenizer = AutoModel.from_pretrained(source), AutoTokenizer.from_pretrained(source)
            model = cls(encoder, tokenizer, config, source)
            model.head.load_state_dict(load_file(directory / HEAD_FILE))
        except Exception as err:  # any unreadable piece: the directory and the cause, on one line
            lines = [x.strip() for x in str(err).splitlines() if x.strip()][:2]
            raise ModelLoadError(
                f"{directory}: broken summarizer directory ({' '.join(lines) or type(err).__name__})"
            ) from err
        return model.eval()

    def save_pretrained(self, directory: str | Path) -> Path:
        """Config and head weights; with config.encoder_weights "full" the encoder and tokenizer too, with "delta" the
        encoder's weights but FROZEN_ENCODER_WEIGHTS in float16."""
        from safetensors.torch import save_file

        quiet_transformers()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        save_file({k: v.detach().contiguous() for k, v in self.head.state_dict().items()}, directory / HEAD_FILE)
        if self.config.encoder_weights == "full":
            self.encoder.save_pretrained(directory / ENCODER_DIR)
            self.tokenizer.save_pretrained(directory / ENCODER_DIR)
        elif self.config.encoder_weights == "delta":
            delta = {
                k: v.detach().to(torch.float16).contiguous()
                for k, v in self.encoder.state_dict().items()
                if k not in FROZEN_ENCODER_WEIGHTS
            }
            save_file(delta, directory / ENCODER_DELTA_FILE)
        (directory / CONFIG_FILE).write_text(json.dumps(self.config.to_dict(), indent=2) + "\n", encoding="utf-8")
        for path in directory.rglob("*"):
            if path.is_file():
                path.chmod(0o644)
        return directory

    @torch.inference_mode()
    def embed(self, texts: Sequence[str], batch_size: int = 16) -> torch.Tensor:
        """Mean-pooled, L2-normalised sentence vectors of the encoder, in length-sorted batches, made the way the
        config's runtime makes them at inference."""
        if self.config.runtime == "onnx":
            return torch.from_numpy(normalize(self.onnx_encoder().pooled(list(texts), None, batch_size)))
        return self.encode(texts, self._inference_encoder(), batch_size)

    def encode(self, texts: Sequence[str], encoder: nn.Module | None = None, batch_size: int = 16) -> torch.Tensor:
        """Mean-pooled, L2-normalised vectors of `encoder` (default: the float32 encoder as it is now, with gradients
        where they are enabled), computed in length-sorted batches and returned in the order of `texts`."""
        encoder = encoder or self.encoder
        order = np.argsort([len(t) for t in texts], kind="stable")
        parts, positions = [torch.zeros(0, self.encoder.config.hidden_size)], [torch.zeros(0, dtype=torch.long)]
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
            parts.append(nn.functional.normalize(pooled.float(), dim=-1))
            positions.append(torch.as_tensor(idx))
        return torch.cat(parts)[torch.argsort(torch.cat(positions))]

    @staticmethod
    def features(embeddings: torch.Tensor, title: torch.Tensor | None, lexical: np.ndarray) -> torch.Tensor:
        """Lexical features plus similarity to the article centroid, to the title, and mean similarity to the others."""
        title_vector = title.numpy() if title is not None else None
        return torch.from_numpy(document_features(embeddings.numpy(), title_vector, lexical))

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
