"""What an extractive scorer directory holds besides its weights: file names and the SummarizerConfig. No torch."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from stancesum.models.labeler_config import DEFAULT_BASE_MODEL, ModelLoadError

CONFIG_FILE = "summarizer_config.json"
HEAD_FILE = "scorer_head.safetensors"
ENCODER_DIR = "encoder"
ENCODER_DELTA_FILE = "encoder_delta.safetensors"
FORMAT_VERSION = 1
MODEL_KIND = "stancesum-extractive-scorer"
DEFAULT_SUMMARIZER_DIR = Path(__file__).resolve().parent / "summarizer_default"


@dataclass
class ScorerArchitecture:
    """The scorer's encoder and head shape: what a scorer directory holds and a training run sets (one place)."""

    base_model: str = DEFAULT_BASE_MODEL
    max_length: int = 128
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    dropout: float = 0.1
    # Encode with the encoder's Linear layers dynamically quantized to int8 (several times faster on CPU). The head
    # must be trained on vectors made the same way, so the runtime belongs to the model:
    # "torch": torch's dynamic quantization at load time (needs torch at inference);
    # "onnx": ONNX Runtime, per-channel int8 MatMuls, exported once and cached (inference needs no torch).
    quantize: bool = False
    runtime: str = "torch"

    def __post_init__(self) -> None:
        if self.runtime not in ("torch", "onnx"):
            raise ValueError(f"runtime must be 'torch' or 'onnx', got {self.runtime!r}")
        if self.runtime == "onnx" and not self.quantize:
            raise ValueError("runtime 'onnx' is the int8 runtime: it needs quantize = true")
        if not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be in 8..512, got {self.max_length}")
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be a multiple of heads ({self.heads})")

    def architecture(self) -> dict:
        """This object's ScorerArchitecture fields, as keyword arguments."""
        return {f.name: getattr(self, f.name) for f in fields(ScorerArchitecture)}


@dataclass
class SummarizerConfig(ScorerArchitecture):
    """What a scorer directory needs besides its weights."""

    position_buckets: int = 32
    # "base": the encoder is the untouched base model, loaded from its package, not saved;
    # "full": the encoder is saved in encoder/ (a model that is not the packaged base, e.g. in tests);
    # "delta": a fine-tuned base encoder, saved as its changed weights (all but the word embeddings) in float16.
    encoder_weights: str = "base"
    mmr_lambda: float = 1.0  # the relevance/redundancy trade-off chosen on dev; the default at inference
    # The default summary length (words), decided from the reference summaries at training; None: 3 sentences.
    budget_words: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.encoder_weights not in ("base", "full", "delta"):
            raise ValueError(f"encoder_weights must be 'base', 'full' or 'delta', got {self.encoder_weights!r}")
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


def read_config(directory: str | Path) -> SummarizerConfig:
    """The config of a scorer directory; ModelLoadError names the directory when it is missing or unreadable."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelLoadError(f"{directory}: summarizer directory does not exist")
    if not (directory / CONFIG_FILE).is_file():
        raise ModelLoadError(f"{directory}: not a stancesum summarizer directory (no {CONFIG_FILE})")
    try:
        return SummarizerConfig.from_dict(json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8")))
    except (ValueError, TypeError) as err:
        raise ModelLoadError(f"{directory}: broken summarizer directory ({err})") from err
