"""Training arguments: one dataclass, validated when it is built, loaded from YAML with dotted overrides."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from stancesum.models.labeler_config import DEFAULT_BASE_MODEL
from stancesum.training.corpora.types import TEACHER_LABELED_SOURCES

REPO = Path(__file__).resolve().parents[1]
STANCE_SOURCES = ("seeds", "emergent", "perspectrum", "ibm_claim_stance", "vast", "basil", "fnc1", "babe_stance")
TOPIC_SOURCES = ("seeds", "bbc_topics", "babe_topics")


T = TypeVar("T")
_SCALAR_TYPES = {"int": int, "float": float, "bool": bool, "str": str}


def _repo_path(value: str) -> Path:
    """A data file of the recipe; a relative path is read from the repository, so a model's recipe travels with it."""
    path = Path(value)
    return path if path.is_absolute() or path.is_file() else REPO / path


class ConfigError(ValueError):
    """A training configuration that cannot be used; names the field."""


@dataclass
class TrainingArguments:
    """Everything a training run depends on. Example counts of -1 mean 'all'; 0 leaves a source out."""

    output_dir: str = "runs/labeler"
    base_model: str = DEFAULT_BASE_MODEL
    init_from: str | None = None  # an existing model directory to continue from (retraining)
    seeds_path: str = str(REPO / "seeds" / "articles.jsonl")
    splits_path: str = str(REPO / "seeds" / "splits.json")
    data_dir: str = str(REPO.parent / "shared" / "data")
    extra_data: list[str] = field(default_factory=list)  # labeled article JSONL files (--data)
    stance_sources: dict[str, int] = field(
        default_factory=lambda: {
            "seeds": -1,
            "emergent": 1600,
            "perspectrum": 0,
            "ibm_claim_stance": 0,
            "vast": 0,
            "basil": 0,
            "fnc1": 0,
            "babe_stance": 0,
        }
    )
    topic_sources: dict[str, int] = field(default_factory=lambda: {"seeds": -1, "bbc_topics": 0, "babe_topics": 0})
    seed_repeats: int = 1  # times the seed corpus is repeated in each epoch
    seed_rounds: list[int] | None = None  # annotation rounds of the seed train articles to read (None: every round)
    extra_repeats: int = 3  # the same for --data articles
    replay_examples: int = 3000  # with init_from: how many of the original examples are mixed in
    epochs: float = 3.0
    batch_size: int = 32
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_length: int = 96
    topic_context: str = "none"
    stance_context: str = "none"  # "previous": the sentence before (the headline for the first) beside the target
    freeze_embeddings: bool = True
    encoder_weights: str = "delta"  # "delta": fine-tune the layers, save them in float16; "lora": adapters only
    lora_rank: int = 8
    lora_alpha: float = 16.0
    stance_head: str = "joint"  # "factorized": relevance then polarity (see models.labeler.LabelerConfig)
    topic_head_init: str = "random"  # "descriptions": the topic head starts as the base encoder's label descriptions
    contrastive_epochs: float = 0.0  # SetFit-style stage before the heads: supervised contrastive passes over the body
    contrastive_temperature: float = 0.1
    average_checkpoints: bool = (
        False  # the mean weights of the checkpoints scored in training's second half: a candidate
    )
    # Counterfactual stance pairs: a JSONL of {"target", "negation"}; each seed train pair is repeated toward the
    # target's negation with favor and against swapped (every sided pair; this share of the `none` pairs)
    negated_targets: str | None = None
    negated_none_share: float = 0.25
    # Reworded targets: a JSONL of {"target", "paraphrase"}; this share of the seed train stance pairs reads the
    # paraphrase instead of the target, label unchanged (the same number of examples)
    target_paraphrases: str | None = None
    paraphrase_share: float = 0.5
    selection_splits: list[str] = field(default_factory=lambda: ["dev", "ood_dev"])  # choose checkpoints, priors
    # A guard on news-claim stance: this share of Emergent's train claims is held out of training, and a checkpoint
    # (and the none prior) whose accuracy there falls below guard_floor loses the shortfall from its selection score
    emergent_guard: float = 0.0
    guard_floor: float = 0.75
    # Knowledge distillation (Hinton et al. 2015): a trained stancesum model, e.g. on a larger base encoder, whose
    # stance probabilities at distill_temperature the student learns beside the gold labels, with distill_weight
    distill_from: str | None = None
    distill_weight: float = 0.5
    distill_temperature: float = 2.0
    distill_cache: str | None = None  # an .npz of teacher probabilities by stance pair, read and extended
    class_weighting: bool = True
    eval_steps: int = 200
    early_stopping_patience: int = 4
    seed: int = 13
    threads: int = 2

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value, kind = getattr(self, f.name), f.type
            if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
                setattr(self, f.name, float(value))
            elif kind in _SCALAR_TYPES and not isinstance(getattr(self, f.name), _SCALAR_TYPES[kind]):
                raise ConfigError(f"{f.name}: must be {kind} (got {value!r})")
        checks = [
            ("epochs", self.epochs > 0, "must be > 0"),
            ("batch_size", 1 <= self.batch_size <= 1024, "must be in 1..1024"),
            ("learning_rate", 0 < self.learning_rate < 1, "must be in (0, 1)"),
            ("head_learning_rate", 0 < self.head_learning_rate < 1, "must be in (0, 1)"),
            ("warmup_ratio", 0 <= self.warmup_ratio < 1, "must be in [0, 1)"),
            ("max_length", 16 <= self.max_length <= 512, "must be in 16..512"),
            ("topic_context", self.topic_context in ("none", "title"), "must be 'none' or 'title'"),
            ("stance_context", self.stance_context in ("none", "previous"), "must be 'none' or 'previous'"),
            ("encoder_weights", self.encoder_weights in ("full", "delta", "lora"), "must be 'full', 'delta' or 'lora'"),
            ("stance_head", self.stance_head in ("joint", "factorized"), "must be 'joint' or 'factorized'"),
            (
                "topic_head_init",
                self.topic_head_init in ("random", "descriptions"),
                "must be 'random' or 'descriptions'",
            ),
            (
                "selection_splits",
                bool(self.selection_splits) and set(self.selection_splits) <= {"dev", "ood_dev"},
                "must name dev and/or ood_dev (never a test split)",
            ),
            ("contrastive_epochs", self.contrastive_epochs >= 0, "must be >= 0"),
            ("emergent_guard", 0 <= self.emergent_guard < 1, "must be in [0, 1)"),
            ("guard_floor", 0 <= self.guard_floor <= 1, "must be in [0, 1]"),
            ("negated_none_share", 0 <= self.negated_none_share <= 1, "must be in [0, 1]"),
            ("paraphrase_share", 0 <= self.paraphrase_share <= 1, "must be in [0, 1]"),
            ("contrastive_temperature", 0 < self.contrastive_temperature <= 10, "must be in (0, 10]"),
            ("lora_rank", self.lora_rank >= 1, "must be >= 1"),
            ("distill_weight", 0 <= self.distill_weight <= 1, "must be in [0, 1]"),
            ("distill_temperature", 0 < self.distill_temperature <= 10, "must be in (0, 10]"),
            ("eval_steps", self.eval_steps >= 1, "must be >= 1"),
            ("early_stopping_patience", self.early_stopping_patience >= 1, "must be >= 1"),
            ("seed_repeats", self.seed_repeats >= 0, "must be >= 0"),
            (
                "seed_rounds",
                self.seed_rounds is None
                or (
                    isinstance(self.seed_rounds, list)
                    and bool(self.seed_rounds)
                    and all(isinstance(r, int) and not isinstance(r, bool) for r in self.seed_rounds)
                ),
                "must be a non-empty list of round numbers, e.g. [1, 2], or null for every round",
            ),
            ("replay_examples", self.replay_examples >= 0, "must be >= 0"),
        ]
        for name, ok, message in checks:
            if not ok:
                raise ConfigError(f"{name}: {message} (got {getattr(self, name)!r})")
        for attr, known in (("stance_sources", STANCE_SOURCES), ("topic_sources", TOPIC_SOURCES)):
            for name, count in getattr(self, attr).items():
                if name not in known:
                    raise ConfigError(f"{attr}.{name}: unknown source (known: {', '.join(known)})")
                if not isinstance(count, int) or count < -1:
                    raise ConfigError(f"{attr}.{name}: must be an integer >= -1 (got {count!r})")
        if self.encoder_weights == "delta" and not self.freeze_embeddings:
            raise ConfigError(
                "encoder_weights: 'delta' needs freeze_embeddings: true (the embeddings come from the base)"
            )
        if self.distill_from is not None:
            if not self.distill_from.strip() or not Path(self.distill_from).is_dir():
                raise ConfigError(f"distill_from: model directory {self.distill_from} does not exist")
            if self.stance_head != "joint":
                raise ConfigError("distill_from: needs stance_head: joint (the teacher's three-way probabilities)")
        if self.distill_from is None and self.distill_cache is not None:
            raise ConfigError("distill_cache: needs distill_from (the teacher whose probabilities it keeps)")
        for name in sorted(TEACHER_LABELED_SOURCES):
            if self.distill_from is None and self.stance_sources.get(name, 0) != 0:
                raise ConfigError(f"stance_sources.{name}: its pairs are unlabeled; needs distill_from (the teacher)")
        if self.init_from is not None and not Path(self.init_from).is_dir():
            raise ConfigError(f"init_from: model directory {self.init_from} does not exist")
        for path in self.extra_data:
            if not Path(path).is_file():
                raise ConfigError(f"extra_data: {path} does not exist")
        for name in ("negated_targets", "target_paraphrases"):
            if getattr(self, name) is not None and not _repo_path(getattr(self, name)).is_file():
                raise ConfigError(f"{name}: {getattr(self, name)} does not exist")

    @property
    def negated_targets_path(self) -> Path:
        return _repo_path(self.negated_targets or "")

    @property
    def target_paraphrases_path(self) -> Path:
        return _repo_path(self.target_paraphrases or "")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _parse_value(text: str) -> Any:
    value = yaml.safe_load(text) if text != "" else ""
    if isinstance(value, str):  # YAML 1.1 reads "1e-4" as a string
        for cast in (int, float):
            try:
                return cast(value)
            except ValueError:
                pass
    return value


def apply_overrides(data: dict[str, Any], overrides: dict[str, str], cls: type | None = None) -> dict[str, Any]:
    """Set dotted keys ('stance_sources.fnc1' = '0') in a nested dict; values are parsed as YAML scalars.
    Top-level keys must be fields of the dataclass `cls` (default: TrainingArguments)."""
    fields = {f.name for f in dataclasses.fields(cls or TrainingArguments)}
    for dotted, raw in overrides.items():
        keys = dotted.split(".")
        if keys[0] not in fields:
            raise ConfigError(f"{dotted}: unknown setting (known: {', '.join(sorted(fields))})")
        node = data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{dotted}: {key} is not a section")
        node[keys[-1]] = _parse_value(raw)
    return data


def load_config(
    cls: type[T], config: Path | None, overrides: dict[str, str] | None = None, base: dict[str, Any] | None = None
) -> T:
    """An instance of the dataclass `cls` from a YAML file (None: the defaults) plus dotted overrides.
    A mapping setting given in part (stance_sources: {fnc1: 0}) only changes the keys it names. `base` (settings
    under the config file's) replaces the dataclass defaults."""
    data: dict[str, Any] = {}
    if config is not None:
        try:
            data = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except OSError as err:
            raise ConfigError(f"{config}: cannot be read ({err.strerror})") from None
        except yaml.YAMLError as err:
            raise ConfigError(f"{config}: bad YAML ({err})") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{config}: must be a mapping of settings")
    for key, value in (base or {}).items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**value, **data[key]}
        else:
            data.setdefault(key, value)
    data = apply_overrides(data, overrides or {}, cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - set(fields)
    if unknown:
        raise ConfigError(
            f"{config}: unknown setting(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(fields))})"
        )
    for key, value in data.items():
        factory = fields[key].default_factory
        if factory is not dataclasses.MISSING and isinstance(default := factory(), dict):
            data[key] = {**default, **(value or {})}
    try:
        return cls(**data)
    except TypeError as err:
        raise ConfigError(str(err)) from None


# Settings that belong to one run or one machine, not to a model's recipe.
_RUN_SETTINGS = (
    "output_dir",
    "init_from",
    "extra_data",
    "seeds_path",
    "splits_path",
    "data_dir",
    "distill_from",
    "distill_cache",
)


def model_recipe(model_dir: Path) -> dict[str, Any]:
    """The training settings a model directory was made with (its training_record.json), without run-specific ones;
    empty for a model without a record."""
    record = Path(model_dir) / "training_record.json"
    if not record.is_file():
        return {}
    try:
        arguments = json.loads(record.read_text(encoding="utf-8")).get("arguments", {})
    except (OSError, json.JSONDecodeError) as err:
        raise ConfigError(f"{record}: cannot be read ({err})") from None
    known = {f.name for f in dataclasses.fields(TrainingArguments)}
    return {k: v for k, v in arguments.items() if k in known and k not in _RUN_SETTINGS}


def load_arguments(config: Path | None, overrides: dict[str, str] | None = None) -> TrainingArguments:
    """Labeler training arguments from a YAML file (may be None for the defaults) plus dotted overrides. Retraining
    (an `init_from` override) starts from the recipe the original model was trained with, so its replay sample
    draws on the same sources; the config file and the overrides still change any of it."""
    init_from = (overrides or {}).get("init_from")
    base = model_recipe(Path(init_from)) if init_from else None
    if base and "stance_sources" in base and not (overrides or {}).get("distill_from"):
        # the teacher is not carried over (a run setting), so neither are the pairs only a teacher can label
        sources = base["stance_sources"]
        base["stance_sources"] = {k: 0 if k in TEACHER_LABELED_SOURCES else v for k, v in sources.items()}
    return load_config(TrainingArguments, config, overrides, base=base)
