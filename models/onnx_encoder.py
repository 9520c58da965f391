"""int8 transformer encoders on ONNX Runtime, shared by the labeler and the summarizer: an encoder with its mean
pooling is exported to ONNX once, its Linear layers (the MatMuls) quantized to int8 with one scale per output
channel (embeddings and LayerNorms stay in float32), and cached (`STANCESUM_CACHE`, default ~/.cache/stancesum)
under a hash of the files it was made from. Exporting needs torch; running (`PooledEncoder`) needs neither torch
nor transformers, which is most of a cold start.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stancesum.models.labeler_config import length_sorted_batches

if TYPE_CHECKING:
    import torch

EXPORT_VERSION = 1  # bump when the exported graph or the quantization changes
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
# graph input -> the attribute of a `tokenizers` Encoding that holds it
ENCODING_FIELDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
LARGE_FILE = 16 * 2**20  # files above this are identified by path, size and mtime instead of their bytes


def cache_root() -> Path:
    return Path(os.environ.get("STANCESUM_CACHE") or Path.home() / ".cache" / "stancesum")


def fingerprint(files: Iterable[Path], root: Path, salt: str = "") -> str:
    """A hash of `files` (named relative to `root`) and the export version. Large files outside the repository's
    control (an installed base model) count by path, size and modification time, which is cheap at every start."""
    digest = hashlib.sha256(f"export-{EXPORT_VERSION}-{salt}".encode())
    for path in files:
        if not path.is_file():
            continue
        stat = path.stat()
        content = (
            f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
            if stat.st_size > LARGE_FILE and not path.resolve().is_relative_to(root.resolve())
            else hashlib.sha256(path.read_bytes()).digest()
        )
        name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path.resolve())
        digest.update(name.encode() + content)
    return digest.hexdigest()[:24]


def export_float32(pooled: torch.nn.Module, sample: dict[str, torch.Tensor], out: Path) -> Path:
    """Export `pooled` (input_ids, attention_mask[, token_type_ids] -> one vector per input) to a float32 ONNX graph
    with dynamic batch and length; the graph takes the inputs that `sample` has."""
    import warnings

    import torch

    axes = {0: "batch", 1: "tokens"}
    names = [name for name in INPUT_NAMES if name in sample]  # no token_type_ids for MPNet- or RoBERTa-like encoders
    with warnings.catch_warnings():  # tracer notes on shape checks that are constant for an encoder
        warnings.simplefilter("ignore")
        torch.onnx.export(
            pooled.eval(),
            tuple(sample[name] for name in names),
            str(out),
            input_names=names,
            output_names=["pooled"],
            dynamic_axes={**{name: axes for name in names}, "pooled": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return out


def quantize_int8(
    fp32: Path,
    out: Path,
    per_channel: bool = True,
    exclude: Sequence[str] = (),
    op_types: Sequence[str] = ("MatMul",),
    extra_options: dict | None = None,
) -> Path:
    """Dynamic int8 quantization of a float32 graph's weights (per output channel by default); `exclude` names
    nodes kept in float32."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    root, level = logging.getLogger(), logging.getLogger().level
    root.setLevel(logging.ERROR)  # the quantizer logs a generic "consider pre-processing" hint on the root logger
    try:
        quantize_dynamic(
            str(fp32),
            str(out),
            per_channel=per_channel,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=list(op_types),
            nodes_to_exclude=list(exclude),
            extra_options=extra_options,
        )
    finally:
        root.setLevel(level)
    return out


def export_pooled(pooled: torch.nn.Module, sample: dict[str, torch.Tensor], out: Path, int8: bool = True) -> Path:
    """`pooled` exported to ONNX, with its MatMuls quantized to per-channel int8 unless `int8` is False; the file
    appears whole (written beside, then renamed). Says so on stderr: it takes seconds, once per model."""
    print(f"stancesum: exporting {out.name} once for fast CPU inference (kept in {out.parent})", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        graph = export_float32(pooled, sample, Path(tmp) / "encoder.onnx")
        os.replace(quantize_int8(graph, Path(tmp) / out.name) if int8 else graph, out)
    return out


def session(path: Path, threads: int | None = None):
    """An ONNX Runtime CPU session; `threads` None or 0: ONNX Runtime's choice."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or 0
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def load_tokenizer(path: Path, max_length: int):
    """A fast tokenizer that truncates to `max_length` and pads a batch to its longest text."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length)
    pad = next((i for i in map(tokenizer.token_to_id, ("[PAD]", "<pad>")) if i is not None), 0)
    tokenizer.enable_padding(pad_id=pad, pad_token=tokenizer.id_to_token(pad) or "[PAD]")
    return tokenizer


def batch_feeds(
    tokenizer,
    first: Sequence[str],
    second: Sequence[str] | None,
    batch_size: int,
    names: Sequence[str],
) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """(indices, encoder inputs) per length-sorted batch: far less padding than batches in input order. `names`:
    the inputs the graph takes."""
    for idx in length_sorted_batches(first, second, batch_size):
        inputs = [(first[i], second[i]) for i in idx] if second is not None else [first[i] for i in idx]
        encodings = tokenizer.encode_batch(inputs)
        yield idx, {name: np.array([getattr(e, ENCODING_FIELDS[name]) for e in encodings], np.int64) for name in names}


class PooledEncoder:
    """An exported int8 encoder and its tokenizer: texts (or text pairs) in, mean-pooled vectors out."""

    def __init__(self, model: Path, tokenizer: Path, max_length: int, threads: int | None = None):
        self.tokenizer = load_tokenizer(tokenizer, max_length)
        self.session = session(model, threads)
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def pooled(self, first: Sequence[str], second: Sequence[str] | None = None, batch_size: int = 64) -> np.ndarray:
        """Mean-pooled vectors in length-sorted batches; int8 activations are scaled per batch, so a text's vector
        depends a little on its batch: callers that must match keep the same batching."""
        out = np.zeros((len(first), self.dim), np.float32)
        for idx, feed in batch_feeds(self.tokenizer, first, second, batch_size, self.inputs):
            out[idx] = self.session.run(["pooled"], feed)[0]
        return out
