"""The sentence labeler: one transformer encoder shared by a topic head and a target-stance head."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from stancesum.models.labeler_config import (  # noqa: F401  (re-exported: the labeler's public names)
    CONFIG_FILE,
    DEFAULT_BASE_MODEL,
    DEFAULT_MODEL_DIR,
    ENCODER_DELTA_FILE,
    ENCODER_DIR,
    FORMAT_VERSION,
    HEADS_FILE,
    LabelerConfig,
    LabelerPredictions,
    ModelLoadError,
    apply_encoder_delta,
    apply_none_bias,
    default_model_available,
    length_sorted_batches,
    quiet_transformers,
    resolve_base_model,
    smooth_topics,
    stance_contexts,
    stance_first_segments,
    stance_queries,
)
from stancesum.models.schema import LabelSchema

if TYPE_CHECKING:
    from transformers import PreTrainedModel


def stance_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """(favor, against, none) probabilities from the stance head's logits: three-way softmax for a joint head;
    for a factorized head (relevance r, polarity q): none = 1 - s(r), favor = s(r) s(q), against = s(r) (1 - s(q))."""
    if logits.shape[-1] == 3:
        return torch.softmax(logits, dim=-1)
    relevant, favor = torch.sigmoid(logits[..., 0]), torch.sigmoid(logits[..., 1])
    return torch.stack([relevant * favor, relevant * (1 - favor), 1 - relevant], dim=-1)


def merged_lora_weights(encoder: nn.Module, lora: dict[str, torch.Tensor], scale: float) -> dict[str, torch.Tensor]:
    """Base weights with LoRA updates merged in (W + scale * B @ A), keyed as the plain encoder names them.

    Saved LoRA tensors are named like PEFT's injected layers: `<module>.lora_A.default.weight`."""
    own = encoder.state_dict()
    merged: dict[str, torch.Tensor] = {}
    for name, a in lora.items():
        if ".lora_A." not in name:
            continue
        module = name.split(".lora_A.")[0]
        b = lora[name.replace(".lora_A.", ".lora_B.")]
        base = own[f"{module}.weight"]
        merged[f"{module}.weight"] = base + scale * (b.float() @ a.float()).to(base.dtype)
    return merged


class SentenceLabeler(LabelerPredictions, nn.Module):
    """Mean-pooled encoder; topic head over the sentence, stance head over the (target, sentence) pair."""

    encoder: PreTrainedModel

    def __init__(self, encoder: PreTrainedModel, tokenizer, config: LabelerConfig):
        super().__init__()
        self.encoder, self.tokenizer, self.config = encoder, tokenizer, config
        hidden = encoder.config.hidden_size
        self.topic_head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(hidden, len(config.schema.topics)))
        stance_outputs = len(config.schema.stances) if config.stance_head == "joint" else 2
        self.stance_head = nn.Sequential(nn.Dropout(config.dropout), nn.Linear(hidden, stance_outputs))

    def extend_schema(self, schema: LabelSchema) -> None:
        """Widen the topic head for a schema that adds labels; the known labels keep their weights."""
        old = self.schema.topic_labels
        if schema.topic_labels[: len(old)] != old:
            raise ValueError("the new schema must keep the old topic labels, in order, and add to the end")
        if len(schema.topics) == len(old):
            self.config.schema = schema
            return
        linear = self.topic_head[1]
        assert isinstance(linear, nn.Linear)
        wider = nn.Linear(linear.in_features, len(schema.topics))
        with torch.no_grad():
            wider.weight[: len(old)] = linear.weight
            wider.bias[: len(old)] = linear.bias
        self.topic_head[1] = wider
        self.config.schema = schema

    @classmethod
    def from_base(
        cls, base_model: str = DEFAULT_BASE_MODEL, schema: LabelSchema | None = None, **config_kwargs
    ) -> SentenceLabeler:
        """Fresh heads on a pretrained encoder (a local path or a Hugging Face hub id)."""
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        path = resolve_base_model(base_model)
        config = LabelerConfig(base_model=base_model, schema=schema or LabelSchema(), **config_kwargs)
        return cls(AutoModel.from_pretrained(path), AutoTokenizer.from_pretrained(path), config)

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> SentenceLabeler:
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        quiet_transformers()
        directory = Path(directory)
        if not directory.is_dir():
            raise ModelLoadError(f"{directory}: model directory does not exist")
        if not (directory / CONFIG_FILE).is_file():
            raise ModelLoadError(f"{directory}: not a stancesum model directory (no {CONFIG_FILE})")
        try:
            schema = LabelSchema.load(directory)
            config = LabelerConfig.from_dict(json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8")), schema)
            encoder_dir = directory / ENCODER_DIR
            if config.encoder_weights in ("delta", "lora"):
                encoder = AutoModel.from_pretrained(resolve_base_model(config.base_model))
                delta = load_file(directory / ENCODER_DELTA_FILE)
                if config.encoder_weights == "lora":
                    delta = merged_lora_weights(encoder, delta, config.lora_alpha / config.lora_rank)
                apply_encoder_delta(encoder, delta, config.base_model)
            else:
                encoder = AutoModel.from_pretrained(encoder_dir)
            model = cls(encoder, AutoTokenizer.from_pretrained(encoder_dir), config)
            missing, unexpected = model.load_state_dict(load_file(directory / HEADS_FILE), strict=False)
            head_missing = [k for k in missing if not k.startswith("encoder.")]
            if head_missing or unexpected:
                raise ValueError(
                    f"head weights do not match the schema (missing {head_missing}, unexpected {unexpected})"
                )
        except ModelLoadError:
            raise
        except Exception as err:  # any unreadable piece: report the directory and the cause on one line
            first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ModelLoadError(f"{directory}: broken model directory ({first_line})") from err
        model.eval()
        return model

    def save_pretrained(self, directory: str | Path, changed: set[str] | None = None) -> Path:
        """Save config, schema, tokenizer, heads and the encoder: whole, or (config.encoder_weights ==
        "delta") only the encoder parameters named in `changed` (default: those that require grad), in float16."""
        from safetensors.torch import save_file

        quiet_transformers()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self.config.encoder_weights in ("delta", "lora"):
            names = (
                changed if changed is not None else {n for n, p in self.encoder.named_parameters() if p.requires_grad}
            )
            dtype = torch.float16 if self.config.encoder_weights == "delta" else torch.float32
            delta = {n: p.detach().to(dtype).contiguous() for n, p in self.encoder.state_dict().items() if n in names}
            save_file(delta, directory / ENCODER_DELTA_FILE)
            self.encoder.config.save_pretrained(directory / ENCODER_DIR)
        else:
            self.encoder.save_pretrained(directory / ENCODER_DIR)
        self.tokenizer.save_pretrained(directory / ENCODER_DIR)
        heads = {k: v.detach().contiguous() for k, v in self.state_dict().items() if not k.startswith("encoder.")}
        save_file(heads, directory / HEADS_FILE)
        self.schema.save(directory)
        (directory / CONFIG_FILE).write_text(json.dumps(self.config.to_dict(), indent=2) + "\n", encoding="utf-8")
        for path in directory.rglob("*"):  # safetensors writes private files; a model directory is for sharing
            if path.is_file():
                path.chmod(0o644)
        return directory

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def forward(self, task: str, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra) -> torch.Tensor:
        """Logits of the 'topic' or 'stance' head."""
        head = {"topic": self.topic_head, "stance": self.stance_head}[task]
        return head(self.pooled(input_ids, attention_mask, **extra))

    def tokenize(self, first: Sequence[str], second: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
        return self.tokenizer(
            list(first),
            list(second) if second is not None else None,
            truncation=True,
            max_length=self.config.max_length,
            padding=True,
            return_tensors="pt",
        )

    @torch.inference_mode()
    def _probabilities(
        self, task: str, first: Sequence[str], second: Sequence[str] | None, batch_size: int
    ) -> np.ndarray:
        n_labels = len(self.schema.topics) if task == "topic" else len(self.schema.stances)
        out = np.zeros((len(first), n_labels), dtype=np.float32)
        if not first:
            return out
        self.eval()
        device = next(self.parameters()).device
        for idx in length_sorted_batches(first, second, batch_size):
            batch = self.tokenize([first[i] for i in idx], [second[i] for i in idx] if second is not None else None)
            logits = self(task, **{k: v.to(device) for k, v in batch.items()}).float()
            probs = torch.softmax(logits, dim=-1) if task == "topic" else stance_probabilities(logits)
            out[idx] = probs.cpu().numpy()
        return out
