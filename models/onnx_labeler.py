"""int8 inference for the labeler on ONNX Runtime: the fine-tuned encoder with its mean pooling is exported to ONNX
once per model directory and its Linear layers (the MatMuls) are quantized to int8 with one scale per output
channel; embeddings, LayerNorms and the two heads stay in float32 (the heads run in numpy). The export is cached
(`STANCESUM_CACHE`, default ~/.cache/stancesum) under a hash of the model's files, so it is made on first load, or
ahead of time by `stancesum optimize MODEL_DIR`. Inference needs neither torch nor transformers.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from stancesum.models.labeler_config import CONFIG_FILE, ENCODER_DIR, HEADS_FILE, length_sorted_batches
from stancesum.models.schema import LabelSchema

EXPORT_VERSION = 1  # bump when the exported graph or the quantization changes


def cache_root() -> Path:
    return Path(os.environ.get("STANCESUM_CACHE") or Path.home() / ".cache" / "stancesum")


def fingerprint(directory: str | Path) -> str:
    """A hash of what the encoder graph depends on: the model's config and weight files, and the export version."""
    directory = Path(directory)
    digest = hashlib.sha256(f"export-{EXPORT_VERSION}".encode())
    files = [directory / CONFIG_FILE, *sorted(p for p in directory.rglob("*.safetensors") if p.name != HEADS_FILE)]
    files += sorted((directory / ENCODER_DIR).glob("*.json"))
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(directory)).encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def onnx_path(directory: str | Path) -> Path:
    return cache_root() / "onnx" / fingerprint(directory) / "encoder.int8.onnx"


def export_int8(directory: str | Path, out: Path | None = None) -> Path:
    """Export the labeler's encoder + mean pooling to ONNX and quantize its MatMuls to per-channel int8; the file
    appears whole (written beside, then renamed). Needs torch (export) and onnxruntime (quantization)."""
    import logging
    import warnings

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from stancesum.models.labeler import SentenceLabeler

    out = out or onnx_path(directory)
    labeler = SentenceLabeler.from_pretrained(directory)

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = labeler.encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            return labeler.pooled(input_ids, attention_mask, token_type_ids=token_type_ids)

    sample = labeler.tokenize(["a first sentence", "a second, longer sentence of the batch"], ["t", "u"])
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        fp32 = Path(tmp) / "encoder.onnx"
        axes = {0: "batch", 1: "tokens"}
        with warnings.catch_warnings():  # tracer notes on shape checks that are constant for an encoder
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled().eval(),
                (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["pooled"],
                dynamic_axes={
                    "input_ids": axes,
                    "attention_mask": axes,
                    "token_type_ids": axes,
                    "pooled": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,
            )
        int8 = Path(tmp) / "encoder.int8.onnx"
        root, level = logging.getLogger(), logging.getLogger().level
        root.setLevel(logging.ERROR)  # the quantizer logs a generic "consider pre-processing" hint on the root logger
        try:
            quantize_dynamic(
                str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"]
            )
        finally:
            root.setLevel(level)
        os.replace(int8, out)
    return out


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
        import onnxruntime as ort
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

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
        self.tokenizer = Tokenizer.from_file(str(directory / ENCODER_DIR / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.config.max_length)
        pad = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad, pad_token=self.tokenizer.id_to_token(pad) or "[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def pooled(self, first: Sequence[str], second: Sequence[str] | None, batch_size: int) -> np.ndarray:
        """Mean-pooled encoder vectors, in length-sorted batches (far less padding)."""
        out = np.zeros((len(first), self.topic_w.shape[1]), np.float32)
        for idx in length_sorted_batches(first, second, batch_size):
            inputs = [(first[i], second[i]) for i in idx] if second is not None else [first[i] for i in idx]
            encodings = self.tokenizer.encode_batch(inputs)
            feed = {
                "input_ids": np.array([e.ids for e in encodings], np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], np.int64),
            }
            out[idx] = self.session.run(["pooled"], feed)[0]
        return out

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
