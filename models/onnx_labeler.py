"""Fast CPU inference for the labeler on an ONNX export of its fine-tuned encoder with mean pooling; the two heads
run in numpy. Two precisions: "int8" (ONNX Runtime; the Linear layers' MatMuls quantized to int8 with one scale per
output channel, embeddings and LayerNorms in float32) and "bf16" (the float32 graph compiled by OpenVINO for the
bfloat16 units of recent CPUs). Exports are cached (`STANCESUM_CACHE`, default ~/.cache/stancesum) under a hash of
the model's files, so they are made on first load, or ahead of time by `stancesum optimize MODEL_DIR`. Inference
needs neither torch nor transformers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stancesum.models.labeler_config import CONFIG_FILE, ENCODER_DIR, HEADS_FILE, LabelerPredictions
from stancesum.models.onnx_encoder import PooledEncoder, cache_root, export_pooled, fingerprint
from stancesum.models.schema import LabelSchema

if TYPE_CHECKING:
    import torch

    from stancesum.models.labeler import SentenceLabeler
    from stancesum.models.openvino_encoder import OpenVinoEncoder


GRAPHS = {"int8": "encoder.int8.onnx", "bf16": "encoder.fp32.onnx"}  # bf16 compiles the float32 graph


def onnx_path(directory: str | Path, precision: str = "int8") -> Path:
    """Where the export of a labeler directory for `precision` is cached: keyed by its config and weight files."""
    directory = Path(directory)
    files = [directory / CONFIG_FILE, *sorted(p for p in directory.rglob("*.safetensors") if p.name != HEADS_FILE)]
    files += sorted((directory / ENCODER_DIR).glob("*.json"))
    return cache_root() / "onnx" / fingerprint(files, directory, "labeler") / GRAPHS[precision]


def pooled_encoder(labeler: SentenceLabeler) -> tuple[torch.nn.Module, dict[str, torch.Tensor]]:
    """The labeler's encoder with its mean pooling as one module (what the ONNX graph holds), and a batch to
    trace it with."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = labeler.encoder

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            return labeler.pooled(input_ids, attention_mask, **extra)

    sample = labeler.tokenize(["a first sentence", "a second, longer sentence of the batch"], ["t", "u"])
    return Pooled(), dict(sample)  # the tokenizer's own inputs: no token_type_ids where it gives none


def exported(directory: str | Path, precision: str = "int8") -> Path:
    """The cached ONNX export of a labeler directory for `precision`, made now if missing (needs torch then): the
    encoder + mean pooling with per-channel int8 MatMuls ("int8") or in float32 ("bf16", compiled to bfloat16 when
    loaded). A broken directory raises ModelLoadError."""
    path = onnx_path(directory, precision)
    if path.is_file():
        return path
    from stancesum.models.labeler import SentenceLabeler

    module, sample = pooled_encoder(SentenceLabeler.from_pretrained(directory))
    return export_pooled(module, sample, path, int8=precision == "int8")


def _numpy_stance_probabilities(logits: np.ndarray) -> np.ndarray:
    """The numpy twin of models.labeler.stance_probabilities."""
    if logits.shape[-1] == 3:
        e = np.exp(logits - logits.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    relevant, favor = 1 / (1 + np.exp(-logits[..., 0])), 1 / (1 + np.exp(-logits[..., 1]))
    return np.stack([relevant * favor, relevant * (1 - favor), 1 - relevant], axis=-1)


class OnnxLabeler(LabelerPredictions):
    """The SentenceLabeler's prediction API (predict_topics, predict_stances, schema, config) on an exported encoder,
    in int8 (ONNX Runtime) or bf16 (OpenVINO). Predictions follow the same calibration (none prior, topic smoothing)
    as the float32 model."""

    def __init__(self, directory: str | Path, threads: int | None = None, precision: str = "int8"):
        from safetensors.numpy import load_file

        from stancesum.models.labeler_config import LabelerConfig, ModelLoadError

        directory = Path(directory)
        if not directory.is_dir():
            raise ModelLoadError(f"{directory}: model directory does not exist")
        if not (directory / CONFIG_FILE).is_file():
            raise ModelLoadError(f"{directory}: not a stancesum model directory (no {CONFIG_FILE})")
        if precision not in GRAPHS:
            raise ValueError(f"unknown precision {precision!r} for an exported labeler; choose int8 or bf16")
        if precision == "bf16":
            from stancesum.models.openvino_encoder import bf16_supported

            if not bf16_supported():  # checked before an export that would be of no use
                raise ValueError("precision bf16 needs OpenVINO and a CPU with bfloat16 units; use int8 or fp32")
        path = exported(directory, precision)
        self.config = LabelerConfig.from_dict(
            json.loads((directory / CONFIG_FILE).read_text("utf-8")), LabelSchema.load(directory)
        )
        heads = load_file(directory / HEADS_FILE)
        self.topic_w, self.topic_b = heads["topic_head.1.weight"], heads["topic_head.1.bias"]
        self.stance_w, self.stance_b = heads["stance_head.1.weight"], heads["stance_head.1.bias"]
        self.precision = precision
        tokenizer = directory / ENCODER_DIR / "tokenizer.json"
        if precision == "bf16":
            from stancesum.models.openvino_encoder import OpenVinoEncoder

            self.encoder: PooledEncoder | OpenVinoEncoder = OpenVinoEncoder(
                path, tokenizer, self.config.max_length, threads
            )
        else:
            self.encoder = PooledEncoder(path, tokenizer, self.config.max_length, threads=threads)

    def pooled(self, first: Sequence[str], second: Sequence[str] | None, batch_size: int) -> np.ndarray:
        return self.encoder.pooled(first, second, batch_size)

    def _probabilities(
        self, task: str, first: Sequence[str], second: Sequence[str] | None, batch_size: int
    ) -> np.ndarray:
        n_labels = len(self.schema.topics) if task == "topic" else len(self.schema.stances)
        if not first:
            return np.zeros((0, n_labels), np.float32)
        pooled = self.pooled(list(first), list(second) if second is not None else None, batch_size)
        if task == "stance":
            return _numpy_stance_probabilities(pooled @ self.stance_w.T + self.stance_b)
        logits = pooled @ self.topic_w.T + self.topic_b
        e = np.exp(logits - logits.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
