"""int8 inference for the labeler on ONNX Runtime: the fine-tuned encoder with its mean pooling is exported to ONNX
once per model directory and its Linear layers (the MatMuls) are quantized to int8 with one scale per output
channel; embeddings, LayerNorms and the two heads stay in float32 (the heads run in numpy). The export is cached
(`STANCESUM_CACHE`, default ~/.cache/stancesum) under a hash of the model's files, so it is made on first load, or
ahead of time by `stancesum optimize MODEL_DIR`. Inference needs neither torch nor transformers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stancesum.models.labeler_config import CONFIG_FILE, ENCODER_DIR, HEADS_FILE
from stancesum.models.onnx_encoder import PooledEncoder, cache_root, export_pooled_int8, fingerprint
from stancesum.models.schema import LabelSchema

if TYPE_CHECKING:
    import torch

    from stancesum.models.labeler import SentenceLabeler


def onnx_path(directory: str | Path) -> Path:
    """Where the int8 export of a labeler directory is cached: keyed by its config and weight files."""
    directory = Path(directory)
    files = [directory / CONFIG_FILE, *sorted(p for p in directory.rglob("*.safetensors") if p.name != HEADS_FILE)]
    files += sorted((directory / ENCODER_DIR).glob("*.json"))
    return cache_root() / "onnx" / fingerprint(files, directory, "labeler") / "encoder.int8.onnx"


def pooled_encoder(labeler: SentenceLabeler) -> tuple[torch.nn.Module, dict[str, torch.Tensor]]:
    """The labeler's encoder with its mean pooling as one module (what the ONNX graph holds), and a batch to
    trace it with."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = labeler.encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            return labeler.pooled(input_ids, attention_mask, token_type_ids=token_type_ids)

    sample = labeler.tokenize(["a first sentence", "a second, longer sentence of the batch"], ["t", "u"])
    return Pooled(), dict(sample)


def export_int8(directory: str | Path, out: Path | None = None) -> Path:
    """Export the labeler's encoder + mean pooling to ONNX with per-channel int8 MatMuls (needs torch)."""
    from stancesum.models.labeler import SentenceLabeler

    module, sample = pooled_encoder(SentenceLabeler.from_pretrained(directory))
    return export_pooled_int8(module, sample, out or onnx_path(directory))


def _numpy_stance_probabilities(logits: np.ndarray) -> np.ndarray:
    """The numpy twin of models.labeler.stance_probabilities."""
    if logits.shape[-1] == 3:
        e = np.exp(logits - logits.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    relevant, favor = 1 / (1 + np.exp(-logits[..., 0])), 1 / (1 + np.exp(-logits[..., 1]))
    return np.stack([relevant * favor, relevant * (1 - favor), 1 - relevant], axis=-1)


class OnnxLabeler:
    """The SentenceLabeler's prediction API (predict_topics, predict_stances, schema, config) on an int8 ONNX
    encoder. Predictions follow the same calibration (none prior, topic smoothing) as the float32 model."""

    def __init__(self, directory: str | Path, threads: int | None = None):
        from safetensors.numpy import load_file

        from stancesum.models.labeler_config import LabelerConfig, ModelLoadError

        directory = Path(directory)
        if not directory.is_dir():
            raise ModelLoadError(f"{directory}: model directory does not exist")
        if not (directory / CONFIG_FILE).is_file():
            raise ModelLoadError(f"{directory}: not a stancesum model directory (no {CONFIG_FILE})")
        path = onnx_path(directory)
        if not path.is_file():
            export_int8(directory, path)  # raises ModelLoadError for a broken directory
        self.schema = LabelSchema.load(directory)
        self.config = LabelerConfig.from_dict(json.loads((directory / CONFIG_FILE).read_text("utf-8")), self.schema)
        heads = load_file(directory / HEADS_FILE)
        self.topic_w, self.topic_b = heads["topic_head.1.weight"], heads["topic_head.1.bias"]
        self.stance_w, self.stance_b = heads["stance_head.1.weight"], heads["stance_head.1.bias"]
        self.encoder = PooledEncoder(
            path, directory / ENCODER_DIR / "tokenizer.json", self.config.max_length, threads=threads
        )

    def pooled(self, first: Sequence[str], second: Sequence[str] | None, batch_size: int) -> np.ndarray:
        return self.encoder.pooled(first, second, batch_size)

    def predict_topics(
        self,
        sentences: Sequence[str],
        titles: Sequence[str] | None = None,
        batch_size: int = 64,
        groups: Sequence[int] | None = None,
    ) -> np.ndarray:
        from stancesum.models.labeler_config import smooth_topics

        if not sentences:
            return np.zeros((0, len(self.schema.topics)), np.float32)
        context = list(titles) if titles is not None and self.config.topic_context == "title" else None
        logits = self.pooled(list(sentences), context, batch_size) @ self.topic_w.T + self.topic_b
        e = np.exp(logits - logits.max(-1, keepdims=True))
        probs = e / e.sum(-1, keepdims=True)
        return smooth_topics(probs, groups, self.config.topic_smoothing) if groups is not None else probs

    def predict_stances(self, targets: Sequence[str], sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
        from stancesum.models.labeler_config import apply_none_bias

        if len(targets) != len(sentences):
            raise ValueError("targets and sentences must have the same length")
        if not targets:
            return np.zeros((0, len(self.schema.stances)), np.float32)
        logits = self.pooled(list(targets), list(sentences), batch_size) @ self.stance_w.T + self.stance_b
        probs = _numpy_stance_probabilities(logits)
        return apply_none_bias(probs, self.schema.stance_index("none"), self.config.stance_none_bias)
