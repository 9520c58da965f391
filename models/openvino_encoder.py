"""bfloat16 inference of an exported float32 encoder on OpenVINO, for CPUs with bfloat16 units (Intel AMX or
AVX512-BF16): its MatMuls run in bfloat16 with float32 accumulation, which keeps float32's labels far better than
int8 with per-batch activation scales, at int8's speed or above. One stream per core: a batch is split in two
halves that run at once. The compiled model is cached beside the ONNX exports.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from stancesum.models.onnx_encoder import batch_feeds, cache_root, load_tokenizer


@cache
def bf16_supported() -> bool:
    """Whether OpenVINO is installed and this CPU runs bfloat16 natively (asked once per process)."""
    try:
        import openvino
    except ImportError:
        return False
    return "BF16" in openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


class OpenVinoEncoder:
    """A float32 ONNX encoder (mean pooling included) compiled for bfloat16, and its tokenizer: texts (or text pairs)
    in, mean-pooled vectors out; the same interface as onnx_encoder.PooledEncoder."""

    def __init__(self, model: Path, tokenizer: Path, max_length: int, threads: int | None = None):
        import openvino as ov

        core = ov.Core()
        core.set_property({"CACHE_DIR": str(cache_root() / "openvino")})
        config: dict[str, object] = {
            "INFERENCE_PRECISION_HINT": "bf16",
            "PERFORMANCE_HINT": "THROUGHPUT",
            # threads pinned to cores suit a process that uses every core; processes given a few threads each (Ray
            # actors) would all be pinned to the same first cores
            "ENABLE_CPU_PINNING": not threads or threads >= (os.cpu_count() or 1),
        }
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self.model = core.compile_model(str(model), "CPU", config)
        self.queue = ov.AsyncInferQueue(self.model, int(self.model.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
        self.lock = threading.Lock()  # one call at a time owns the queue and its callback
        self.tokenizer = load_tokenizer(tokenizer, max_length)
        self.dim = self.model.outputs[0].get_partial_shape()[-1].get_length()
        self.inputs = [i.get_any_name() for i in self.model.inputs]

    def pooled(self, first: Sequence[str], second: Sequence[str] | None = None, batch_size: int = 64) -> np.ndarray:
        """Mean-pooled vectors in length-sorted batches, each run as two halves that the streams (one per core) take
        at once. The halves do not depend on the number of threads, so neither do the vectors."""
        out = np.zeros((len(first), self.dim), np.float32)

        def done(request, idx: np.ndarray) -> None:
            out[idx] = request.get_output_tensor(0).data

        size = max(1, math.ceil(min(batch_size, len(first)) / 2))
        with self.lock:
            self.queue.set_callback(done)
            for idx, feed in batch_feeds(self.tokenizer, first, second, size, self.inputs):
                self.queue.start_async(feed, idx)
            self.queue.wait_all()
        return out
