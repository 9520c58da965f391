"""Multi-task fine-tuning of the labeler with the transformers Trainer, early-stopped on the held-out selection splits
(seed dev and ood_dev), with the stance prior and topic smoothing tuned on them afterwards."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import io
import json
import logging
import math
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from stancesum.models.article import Article
from stancesum.models.articles_io import atomic_write_bytes
from stancesum.models.bootstrap import accuracy_from_confusion, f1_from_confusion, paired_difference_ci
from stancesum.models.labeler import SentenceLabeler
from stancesum.models.labeler_config import stance_contexts
from stancesum.models.schema import LabelSchema
from stancesum.training.arguments import TrainingArguments
from stancesum.training.corpora.types import UNLABELED
from stancesum.training.examples import (
    SIDED_ONLY_SOURCES,
    Example,
    describe,
    guard_examples,
    seed_articles,
    training_examples,
)

log = logging.getLogger(__name__)
TASKS = {"topic": 0, "stance": 1}


class MultiTaskModule(nn.Module):
    """Routes each row of a mixed batch to its head; class-weighted cross-entropy per task."""

    def __init__(
        self,
        labeler: SentenceLabeler,
        topic_weights: torch.Tensor,
        stance_weights: torch.Tensor,
        distill_weight: float = 0.0,
        distill_temperature: float = 1.0,
    ):
        super().__init__()
        self.labeler = labeler
        self.distill_weight, self.distill_temperature = distill_weight, distill_temperature
        self.topic_weights: torch.Tensor
        self.stance_weights: torch.Tensor
        self.register_buffer("topic_weights", topic_weights)
        self.register_buffer("stance_weights", stance_weights)

    def forward(
        self, input_ids, attention_mask, task, labels, has_none=None, token_type_ids=None, length=None, soft=None
    ):
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        pooled = self.labeler.pooled(input_ids, attention_mask, **extra)
        losses = []
        rows = task == TASKS["topic"]
        if rows.any():
            logits = self.labeler.topic_head(pooled[rows])
            losses.append(nn.functional.cross_entropy(logits, labels[rows], weight=self.topic_weights, reduction="sum"))
        rows = task == TASKS["stance"]
        if rows.any():
            logits, gold = self.labeler.stance_head(pooled[rows]), labels[rows]
            if logits.shape[-1] == 3 and soft is not None and self.distill_weight > 0:
                losses.append(self.distilled_stance_loss(logits, gold, soft[rows]))
            elif logits.shape[-1] == 3:
                losses.append(nn.functional.cross_entropy(logits, gold, weight=self.stance_weights, reduction="sum"))
            else:
                known = has_none[rows].bool() if has_none is not None else torch.ones_like(gold, dtype=torch.bool)
                losses.append(factorized_stance_loss(logits, gold, known, self.stance_weights, self.labeler.schema))
        return {"loss": torch.stack(losses).sum() / len(labels)}

    def distilled_stance_loss(self, logits: torch.Tensor, gold: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
        """(1 - w) * cross-entropy on the gold label + w * T^2 * KL(teacher_T || student_T), each row weighted by its
        gold label's class weight; `teacher` holds the teacher's probabilities at temperature 1."""
        t, w = self.distill_temperature, self.distill_weight
        row_weight = self.stance_weights[gold]
        hard = nn.functional.cross_entropy(logits, gold, reduction="none")
        target = torch.softmax(torch.log(teacher.clamp_min(1e-8)) / t, dim=-1)
        kl = nn.functional.kl_div(torch.log_softmax(logits / t, dim=-1), target, reduction="none").sum(-1)
        return (row_weight * ((1 - w) * hard + w * t * t * kl)).sum()


def supervised_contrastive_loss(
    embeddings: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor, temperature: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Supervised contrastive loss (Khosla et al. 2020) over one batch: each row (anchor) is scored by how much of its
    softmax over the other rows' cosine similarities falls on rows of its own label. Returns the weighted sum over
    anchors that have a positive, and the sum of their weights."""
    z = nn.functional.normalize(embeddings, dim=-1)
    eye = torch.eye(len(z), dtype=torch.bool, device=z.device)
    similarity = (z @ z.T / temperature).masked_fill(eye, -math.inf)
    log_prob = similarity - torch.logsumexp(similarity, dim=1, keepdim=True)
    positive = (labels[:, None] == labels[None, :]) & ~eye
    counts = positive.sum(1)
    anchors = counts > 0
    per_anchor = -log_prob.masked_fill(~positive, 0.0).sum(1)[anchors] / counts[anchors]
    return (weights[anchors] * per_anchor).sum(), weights[anchors].sum()


class ContrastiveModule(nn.Module):
    """The SetFit-style stage before the heads: the body learns to place same-label rows of a task (same topic, same
    stance) near each other, anchors weighted by their class weight; the heads are not used."""

    def __init__(self, labeler: SentenceLabeler, weights: dict[str, torch.Tensor], temperature: float):
        super().__init__()
        self.labeler, self.weights, self.temperature = labeler, weights, temperature

    def forward(
        self, input_ids, attention_mask, task, labels, has_none=None, token_type_ids=None, length=None, soft=None
    ):
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        pooled = self.labeler.pooled(input_ids, attention_mask, **extra)
        total, weight = pooled.sum() * 0.0, pooled.new_zeros(())
        for name, index in TASKS.items():
            rows = task == index
            if rows.sum() >= 2:
                gold = labels[rows]
                loss, w = supervised_contrastive_loss(
                    pooled[rows], gold, self.weights[name].to(pooled.device)[gold], self.temperature
                )
                total, weight = total + loss, weight + w
        return {"loss": total / weight.clamp(min=1e-8)}


def factorized_stance_loss(
    logits: torch.Tensor, gold: torch.Tensor, has_none: torch.Tensor, weights: torch.Tensor, schema: LabelSchema
) -> torch.Tensor:
    """Relevance (sided vs none) on rows whose corpus has a 'none' class; polarity (favor vs against) on sided rows.
    Each row counts with its gold label's class weight."""
    none, favor = schema.stance_index("none"), schema.stance_index("favor")
    row_weight, sided = weights[gold], gold != none
    bce = nn.functional.binary_cross_entropy_with_logits
    relevance = bce(logits[:, 0], sided.float(), reduction="none")
    polarity = bce(logits[:, 1], (gold == favor).float(), reduction="none")
    return (row_weight * (relevance * has_none + polarity * sided)).sum()


def class_weights(examples: list[Example], task: str, labels: list[str], enabled: bool) -> torch.Tensor:
    """Inverse-frequency weights, normalised to mean 1 over the labels present, capped at 5."""
    counts = np.array(
        [sum(1 for e in examples if e.task == task and e.label == lab) for lab in labels], dtype=np.float64
    )
    if not enabled or counts.sum() == 0:
        return torch.ones(len(labels))
    present = counts > 0
    w = np.zeros(len(labels))
    w[present] = counts[present].sum() / (present.sum() * counts[present])
    return torch.tensor(np.clip(w, 0, 5.0), dtype=torch.float32)


class GoldPair(NamedTuple):
    """One gold stance label: its article's index, the target, the sentence, its stance context and the label."""

    article: int
    target: str
    text: str
    context: str
    label: str


def gold_stance_pairs(articles: list[Article]) -> list[GoldPair]:
    """Every gold (target, sentence) stance label of the articles, in order, with the sentence's stance context."""
    return [
        GoldPair(k, t, s.text, c, lab)
        for k, a in enumerate(articles)
        for s, c in zip(a.sentences, stance_contexts([s.text for s in a.sentences], a.title), strict=True)
        for t, lab in s.stance.items()
    ]


def predict_gold_stances(labeler: SentenceLabeler, pairs: list[GoldPair], batch_size: int = 64) -> np.ndarray:
    return labeler.predict_stances(
        [p.target for p in pairs], [p.text for p in pairs], batch_size=batch_size, contexts=[p.context for p in pairs]
    )


def article_counts(labeler: SentenceLabeler, articles: list[Article], batch_size: int = 128) -> dict[str, np.ndarray]:
    """Per-article confusion matrices (rows gold, columns predicted) of stance and topic on gold sentences."""
    texts = [s.text for a in articles for s in a.sentences]
    titles = [a.title or "" for a in articles for _ in a.sentences]
    topic_pred = labeler.predict_topics(
        texts, titles, batch_size=batch_size, groups=[len(a.sentences) for a in articles]
    )
    pairs = gold_stance_pairs(articles)
    stance_pred = predict_gold_stances(labeler, pairs, batch_size)
    schema = labeler.schema
    topic = np.zeros((len(articles), len(schema.topics), len(schema.topics)))
    row = 0
    for k, a in enumerate(articles):
        for s in a.sentences:
            if s.topic:
                topic[k, schema.topic_index(s.topic), int(topic_pred[row].argmax())] += 1
            row += 1
    stance = np.zeros((len(articles), len(schema.stances), len(schema.stances)))
    for pair, probs in zip(pairs, stance_pred, strict=True):
        stance[pair.article, schema.stance_index(pair.label), int(probs.argmax())] += 1
    return {"stance": stance, "topic": topic}


def stance_macro_f1(confusion: np.ndarray) -> np.ndarray:
    return f1_from_confusion(confusion).mean(-1)


def scores_from_counts(counts: dict[str, np.ndarray]) -> dict[str, float]:
    macro = float(stance_macro_f1(counts["stance"].sum(0)[None])[0])
    accuracy = float(accuracy_from_confusion(counts["topic"].sum(0)[None])[0])
    return {"stance_macro_f1": macro, "topic_accuracy": accuracy, "score": (macro + accuracy) / 2}


def dev_scores(labeler: SentenceLabeler, articles: list[Article], batch_size: int = 128) -> dict[str, float]:
    """Stance macro-F1 and topic accuracy on gold sentences; `score` (their mean) selects the model."""
    return scores_from_counts(article_counts(labeler, articles, batch_size))


def before_after(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> dict:
    """Scores of two models on the same articles and the paired-bootstrap 95% interval of their difference."""
    return {
        "before": scores_from_counts(before),
        "after": scores_from_counts(after),
        "difference": {
            "stance_macro_f1": list(paired_difference_ci(before["stance"], after["stance"], stance_macro_f1)),
            "topic_accuracy": list(paired_difference_ci(before["topic"], after["topic"], accuracy_from_confusion)),
        },
        "articles": len(before["stance"]),
    }


def selection_scores(labeler: SentenceLabeler, splits: dict[str, list[Article]]) -> dict:
    """dev_scores per held-out split, and their means (each split counts the same, however large)."""
    per_split = {name: dev_scores(labeler, articles) for name, articles in splits.items()}
    means = {
        k: float(np.mean([s[k] for s in per_split.values()])) for k in ("stance_macro_f1", "topic_accuracy", "score")
    }
    return {**means, **per_split}


def guard_probabilities(labeler: SentenceLabeler, guard: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    """Stance probabilities (with the labeler's none prior) and gold label indices of the guard pairs."""
    probs = labeler.predict_stances([e.first for e in guard], [e.second or "" for e in guard], batch_size=128)
    return probs, np.array([labeler.schema.stance_index(e.label) for e in guard], dtype=int)


def guard_shortfall(accuracy: float, floor: float) -> float:
    """How far the guard's accuracy falls below its floor (0 at or above it): what a candidate's score loses."""
    return max(0.0, floor - accuracy)


def guarded_scores(labeler: SentenceLabeler, guard: list[Example], floor: float) -> dict[str, float]:
    """The guard's accuracy and the shortfall it costs (empty without a guard)."""
    if not guard:
        return {}
    probs, gold = guard_probabilities(labeler, guard)
    accuracy = float(np.mean(probs.argmax(1) == gold))
    return {"guard_accuracy": accuracy, "guard_shortfall": guard_shortfall(accuracy, floor)}


def ranking_score(scores: dict) -> float:
    """What chooses among checkpoints: the selection score less the guard's shortfall, if there is a guard."""
    return scores["score"] - scores.get("guard_shortfall", 0.0)


def _by_smallest_change(grid: np.ndarray) -> np.ndarray:
    return grid[np.argsort(np.abs(grid), kind="stable")]  # among equal scores, the smallest change wins


def tune_none_bias(
    labeler: SentenceLabeler,
    splits: dict[str, list[Article]],
    grid: np.ndarray | None = None,
    guard: list[Example] | None = None,
    floor: float = 0.75,
) -> float:
    """The prior on 'none' (log-odds) that maximises stance macro-F1, averaged over the held-out splits, less twice
    the guard's shortfall (the score is the mean of stance and topic, so this is the checkpoints' trade); stored in
    the labeler's config."""
    from sklearn.metrics import f1_score

    from stancesum.models.labeler import apply_none_bias

    labeler.config.stance_none_bias = 0.0
    none, data = labeler.schema.stance_index("none"), []
    for articles in splits.values():
        pairs = gold_stance_pairs(articles)
        if pairs:
            data.append((predict_gold_stances(labeler, pairs), [labeler.schema.stance_index(p.label) for p in pairs]))
    if not data:
        return 0.0
    guarded = guard_probabilities(labeler, guard) if guard else None

    def cost(bias: float) -> float:
        if guarded is None:
            return 0.0
        probs, gold = guarded
        return 2 * guard_shortfall(float(np.mean(apply_none_bias(probs, none, bias).argmax(1) == gold)), floor)

    grid = _by_smallest_change(np.arange(-2.0, 3.01, 0.25) if grid is None else grid)
    scores = [
        np.mean([f1_score(g, apply_none_bias(p, none, b).argmax(1), average="macro") for p, g in data]) - cost(b)
        for b in grid
    ]
    labeler.config.stance_none_bias = float(grid[int(np.argmax(scores))])
    return labeler.config.stance_none_bias


def tune_topic_smoothing(labeler: SentenceLabeler, splits: dict[str, list[Article]]) -> float:
    """The share of the article's mean topic mixed into each sentence's that maximises topic accuracy, averaged over
    the held-out splits; stored in the labeler's config."""
    from stancesum.models.labeler import smooth_topics

    data = []
    for articles in splits.values():
        texts = [s.text for a in articles for s in a.sentences]
        titles = [a.title or "" for a in articles for _ in a.sentences]
        gold = [(k, s.topic) for k, s in enumerate(s for a in articles for s in a.sentences) if s.topic]
        if gold:
            probs = labeler.predict_topics(texts, titles)
            keep, labels = [k for k, _ in gold], [labeler.schema.topic_index(t) for _, t in gold]
            data.append((probs, [len(a.sentences) for a in articles], keep, labels))
    if not data:
        return 0.0
    grid = np.round(np.arange(0.0, 0.91, 0.05), 2)
    scores = [
        np.mean([(smooth_topics(p, g, a)[k].argmax(1) == np.array(y)).mean() for p, g, k, y in data]) for a in grid
    ]
    labeler.config.topic_smoothing = float(grid[int(np.argmax(scores))])  # the first best: the least smoothing
    return labeler.config.topic_smoothing


def tune_review_threshold(labeler: SentenceLabeler, splits: dict[str, list[Article]]) -> float:
    """The confidence below which the model's least confident label of a sentence (its topic or one of its stances)
    is more often wrong than right on the held-out splits: the largest grid value t such that, over sentences whose
    confidence is below t, that label is right less than half the time (0 when no such t). Stored in the labeler's
    config: `--llm-review uncertain` sends those sentences to the LLM."""
    rows: list[tuple[float, bool]] = []
    for a in (a for group in splits.values() for a in group):
        texts = [s.text for s in a.sentences]
        topics = labeler.predict_topics(texts, [a.title or ""] * len(texts), groups=[len(texts)])
        contexts = stance_contexts(texts, a.title)
        pairs = [(t, s, c) for t in a.targets for s, c in zip(texts, contexts, strict=True)]
        stances = labeler.predict_stances([p[0] for p in pairs], [p[1] for p in pairs], contexts=[p[2] for p in pairs])
        stances = stances.reshape(len(a.targets), len(texts), -1)
        for k, s in enumerate(a.sentences):
            labels = []  # (confidence, right) of every gold-labeled decision of the sentence
            if s.topic:
                labels.append((float(topics[k].max()), labeler.schema.topic_index(s.topic) == int(topics[k].argmax())))
            for j, t in enumerate(a.targets):
                if t in s.stance:
                    probs = stances[j, k]
                    labels.append((float(probs.max()), labeler.schema.stance_index(s.stance[t]) == int(probs.argmax())))
            if labels:
                rows.append(min(labels))
    best = 0.0
    for t in np.round(np.arange(0.30, 0.96, 0.05), 2):
        below = [right for c, right in rows if c < t]
        if len(below) >= 20 and np.mean(below) < 0.5:
            best = float(t)
    labeler.config.review_threshold = best
    return best


def _pair_key(example: Example) -> str:
    return hashlib.sha1(f"{example.first}\x00{example.second or ''}".encode()).hexdigest()


def _teacher_identity(directory: Path) -> str:
    """What a cached teacher probability depends on: every file of the teacher's directory and, for a teacher saved
    as a delta over its base encoder, that base's name (the path of the directory itself may move)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()


def _read_cache(cache: Path, identity: str) -> dict[str, np.ndarray]:
    if not cache.is_file():
        return {}
    with np.load(cache) as stored:
        if "teacher" not in stored.files or str(stored["teacher"]) != identity:
            raise ValueError(f"distill_cache: {cache} was made by another teacher")
        return dict(zip(stored["keys"].tolist(), stored["probabilities"], strict=True))


def _write_cache(cache: Path, identity: str, scored: dict[str, np.ndarray]) -> None:
    """Merge `scored` into the cache as it is now on disk (another run may have added to it), written atomically."""
    merged = {**_read_cache(cache, identity), **scored}
    buffer = io.BytesIO()
    keys, probabilities = np.array(list(merged)), np.stack(list(merged.values()))
    np.savez(buffer, teacher=np.array(identity), keys=keys, probabilities=probabilities)
    atomic_write_bytes(cache, buffer.getvalue())


def teacher_stance_probabilities(
    args: TrainingArguments, examples: list[Example], stances: Sequence[str]
) -> np.ndarray:
    """The teacher's (favor, against, none) probabilities for every stance example, zeros for topic rows. Pairs
    already in args.distill_cache are read from it; the others are scored and added to it."""
    assert args.distill_from is not None
    directory = Path(args.distill_from)
    config = json.loads((directory / "labeler_config.json").read_text(encoding="utf-8"))
    if config.get("stance_head", "joint") != "joint" or config.get("stance_context", "none") != args.stance_context:
        raise ValueError(
            f"distill_from: {directory} has stance head {config.get('stance_head')!r} with context "
            f"{config.get('stance_context')!r}; this run needs a joint head with {args.stance_context!r}"
        )
    identity = _teacher_identity(directory)
    cache = Path(args.distill_cache) if args.distill_cache else None
    known = _read_cache(cache, identity) if cache is not None else {}
    keys = [_pair_key(e) for e in examples]
    todo = {k: e for k, e in zip(keys, examples, strict=True) if e.task == "stance" and k not in known}
    if todo:
        teacher = SentenceLabeler.from_pretrained(directory)
        if list(teacher.schema.stances) != list(stances):
            raise ValueError(f"distill_from: {directory} labels stance as {list(teacher.schema.stances)}")
        started = time.time()
        pending = list(todo.values())
        # the examples' first segments are already the teacher's input (same stance_context); no calibrated prior
        scored = dict(
            zip(
                todo,
                teacher._probabilities("stance", [e.first for e in pending], [e.second or "" for e in pending], 64),
                strict=True,
            )
        )
        log.info("teacher %s scored %d stance pairs in %.0f s", directory, len(pending), time.time() - started)
        known.update(scored)
        if cache is not None:
            _write_cache(cache, identity, scored)
    out = np.zeros((len(examples), 3), dtype=np.float32)
    for i, (k, e) in enumerate(zip(keys, examples, strict=True)):
        if e.task == "stance":
            out[i] = known[k]
    return out


def teacher_labeled(examples: list[Example], soft: np.ndarray, stances: Sequence[str]) -> list[Example]:
    """The examples with each UNLABELED stance pair given the teacher's most probable label, so that it counts in
    the class weights and the hard part of the distilled loss as a pseudo-label (its soft part is the teacher's)."""
    return [
        dataclasses.replace(e, label=stances[int(np.argmax(p))]) if e.label == UNLABELED else e
        for e, p in zip(examples, soft, strict=True)
    ]


def _encode(examples: list[Example], labeler: SentenceLabeler, soft: np.ndarray | None = None):
    from datasets import Dataset

    schema = labeler.schema
    columns = {"soft": soft.tolist()} if soft is not None else {}
    ds = Dataset.from_dict(
        {
            **columns,
            "first": [e.first for e in examples],
            "second": [e.second or "" for e in examples],
            "has_second": [e.second is not None for e in examples],
            "task": [TASKS[e.task] for e in examples],
            "has_none": [int(e.source not in SIDED_ONLY_SOURCES) for e in examples],
            "labels": [
                schema.topic_index(e.label) if e.task == "topic" else schema.stance_index(e.label) for e in examples
            ],
        }
    )

    def tokenize(batch):
        pair = [
            (f, s) if h else (f, None)
            for f, s, h in zip(batch["first"], batch["second"], batch["has_second"], strict=True)
        ]
        singles = [i for i, (_, s) in enumerate(pair) if s is None]
        doubles = [i for i, (_, s) in enumerate(pair) if s is not None]
        out: dict[str, list] = {}
        for idx, with_pair in ((singles, False), (doubles, True)):
            if not idx:
                continue
            enc = labeler.tokenizer(
                [pair[i][0] for i in idx],
                [pair[i][1] for i in idx] if with_pair else None,
                truncation=True,
                max_length=labeler.config.max_length,
            )
            for key, values in enc.items():
                column = out.setdefault(key, [None] * len(pair))
                for i, v in zip(idx, values, strict=True):
                    column[i] = v
        return out

    ds = ds.map(tokenize, batched=True, remove_columns=["first", "second", "has_second"], desc="tokenize")
    return ds.map(lambda row: {"length": len(row["input_ids"])}, desc="lengths")


def extended_schema(args: TrainingArguments, schema: LabelSchema) -> LabelSchema:
    """The schema plus topic labels that first appear in --data files (read raw: the loader checks labels)."""
    new: list[str] = []
    for path in args.extra_data:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                for s in json.loads(line).get("sentences") or []:
                    if s.get("topic") and s["topic"] not in schema.topics and s["topic"] not in new:
                        new.append(s["topic"])
    return schema.with_topics(new)


@torch.no_grad()
def init_topic_head_from_descriptions(labeler: SentenceLabeler, scale: float = 20.0) -> None:
    """Start the topic head as a zero-shot classifier: each label's row is the encoder's (normalised) embedding of
    "label: description", so the untrained head already ranks topics by similarity."""
    schema = labeler.schema
    texts = [f"{label.replace('_', ' ')}: {schema.topics[label]}" for label in schema.topic_labels]
    batch = labeler.tokenize(texts)
    vectors = nn.functional.normalize(labeler.pooled(batch["input_ids"], batch["attention_mask"]), dim=-1)
    linear = labeler.topic_head[1]
    assert isinstance(linear, nn.Linear)
    linear.weight.copy_(scale * vectors)
    linear.bias.zero_()


def build_labeler(args: TrainingArguments) -> SentenceLabeler:
    if args.init_from:
        labeler = SentenceLabeler.from_pretrained(args.init_from)
        labeler.extend_schema(extended_schema(args, labeler.schema))
    else:
        labeler = SentenceLabeler.from_base(
            args.base_model,
            extended_schema(args, LabelSchema()),
            max_length=args.max_length,
            topic_context=args.topic_context,
            stance_context=args.stance_context,
            stance_head=args.stance_head,
        )
        if args.topic_head_init == "descriptions":
            init_topic_head_from_descriptions(labeler)
    labeler.config.encoder_weights = args.encoder_weights
    if args.encoder_weights == "lora":
        from peft import LoraConfig, inject_adapter_in_model

        labeler.config.lora_rank, labeler.config.lora_alpha = args.lora_rank, args.lora_alpha
        labeler.encoder.requires_grad_(False)
        targets = ["query", "key", "value", "dense"]  # BERT-style names; the attention and feed-forward projections
        lora = LoraConfig(
            r=args.lora_rank,
            lora_alpha=args.lora_alpha,  # type: ignore[arg-type]  # peft scales by alpha / r: a float works
            lora_dropout=0.05,
            target_modules=targets,
        )
        inject_adapter_in_model(lora, labeler.encoder)
        return labeler
    if args.freeze_embeddings:
        labeler.encoder.embeddings.requires_grad_(False)
    pooler = getattr(labeler.encoder, "pooler", None)
    if pooler is not None:  # mean pooling never uses the pooler: keep it out of the optimiser and the delta
        pooler.requires_grad_(False)
    return labeler


def train(args: TrainingArguments, progress: bool = True, skip: set[tuple[str, str]] | None = None) -> dict:
    """Train, keep the best dev checkpoint, save it to args.output_dir; returns the run's record."""
    from transformers import DataCollatorWithPadding, Trainer, TrainerCallback, set_seed
    from transformers import TrainingArguments as HFTrainingArguments

    torch.set_num_threads(args.threads)
    set_seed(args.seed)
    started = time.time()
    labeler = build_labeler(args)
    schema = labeler.schema
    examples = training_examples(args, schema, skip)
    selection = {name: seed_articles(args, name, schema) for name in args.selection_splits}
    selection = {name: articles for name, articles in selection.items() if articles}
    if not selection:
        raise ValueError(f"{args.splits_path}: no article in the selection splits {args.selection_splits}")
    guard = guard_examples(args)
    if args.distill_from and labeler.config.stance_head != "joint":
        raise ValueError(f"distill_from: the model trained here has a {labeler.config.stance_head} stance head")
    soft = teacher_stance_probabilities(args, examples, schema.stances) if args.distill_from else None
    if soft is not None:
        examples = teacher_labeled(examples, soft, schema.stances)
    log.info("training examples: %s", describe(examples))
    module = MultiTaskModule(
        labeler,
        class_weights(examples, "topic", schema.topic_labels, args.class_weighting),
        class_weights(examples, "stance", list(schema.stances), args.class_weighting),
        distill_weight=args.distill_weight if args.distill_from else 0.0,
        distill_temperature=args.distill_temperature,
    )
    dataset = _encode(examples, labeler, soft)
    before = (
        {name: article_counts(labeler, articles) for name, articles in selection.items()} if args.init_from else None
    )
    history: list[dict] = []
    best: dict = {"score": -math.inf}
    scratch = tempfile.TemporaryDirectory(prefix="stancesum-train-")  # Trainer wants a folder; it saves nothing

    class DevSelection(TrainerCallback):
        """Scores the held-out selection splits, keeps the best weights in memory, stops after `patience`
        evaluations without gain."""

        def __init__(self) -> None:
            self.bad_evals = 0
            self.sum: dict[str, torch.Tensor] = {}
            self.averaged = 0

        def on_step_end(self, hf_args, state, control, **kwargs):  # type: ignore[override]  # `args` is ours
            if state.global_step % args.eval_steps == 0:
                self.select(state, control)
            return control

        def on_train_end(self, hf_args, state, control, **kwargs):  # type: ignore[override]
            if not history or history[-1]["step"] != state.global_step:  # the final weights are a candidate too
                self.select(state, control)
            if self.averaged >= 2:  # weight averaging along the trajectory (Izmailov et al. 2018)
                own = labeler.state_dict()
                labeler.load_state_dict({k: (v / self.averaged).to(own[k].dtype) for k, v in self.sum.items()})
                self.select(state, control, step=f"average of {self.averaged}")

        def select(self, state, control, step: int | str | None = None):
            scores = {**selection_scores(labeler, selection), **guarded_scores(labeler, guard, args.guard_floor)}
            labeler.train()
            step = state.global_step if step is None else step
            history.append({"step": step, "epoch": round(state.epoch or 0, 3), **scores})
            log.info("dev at step %s: %s", step, scores)
            if args.average_checkpoints and isinstance(step, int) and (state.epoch or 0) >= args.epochs / 2:
                for k, v in labeler.state_dict().items():
                    self.sum[k] = self.sum.get(k, 0) + v.detach().double()
                self.averaged += 1
            if ranking_score(scores) > ranking_score(best):
                best.update(scores, step=step, state=copy.deepcopy(labeler.state_dict()))
                self.bad_evals = 0
            else:
                self.bad_evals += 1
                control.should_training_stop = self.bad_evals >= args.early_stopping_patience
            return control

    class MultiTaskTrainer(Trainer):
        def create_optimizer(self, model=None):
            named = list((model or self.model).named_parameters())  # type: ignore[union-attr]
            heads = [p for n, p in named if p.requires_grad and "_head" in n]
            body = [p for n, p in named if p.requires_grad and "_head" not in n]
            self.optimizer = torch.optim.AdamW(
                [
                    {"params": body, "lr": args.learning_rate, "weight_decay": args.weight_decay},
                    {"params": heads, "lr": args.head_learning_rate, "weight_decay": 0.0},
                ]
            )
            return self.optimizer

    def hf_arguments(epochs: float) -> HFTrainingArguments:
        return HFTrainingArguments(
            output_dir=scratch.name,
            num_train_epochs=epochs,
            per_device_train_batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            warmup_steps=args.warmup_ratio,
            lr_scheduler_type="linear",
            eval_strategy="no",
            save_strategy="no",
            logging_steps=50,
            seed=args.seed,
            data_seed=args.seed,
            report_to=[],
            use_cpu=True,
            dataloader_num_workers=0,
            remove_unused_columns=False,
            disable_tqdm=not progress,
            train_sampling_strategy="group_by_length",  # batches of similar length: far less padding on CPU
        )

    contrastive: dict[str, float] | None = None
    if args.contrastive_epochs > 0:
        weights = {"topic": module.topic_weights, "stance": module.stance_weights}
        stage = ContrastiveModule(labeler, weights, args.contrastive_temperature)
        started_stage = time.time()
        output = MultiTaskTrainer(
            model=stage,
            args=hf_arguments(args.contrastive_epochs),
            train_dataset=dataset,
            data_collator=DataCollatorWithPadding(labeler.tokenizer),
        ).train()
        contrastive = {"seconds": round(time.time() - started_stage, 1), "mean_loss": output.training_loss}
        log.info("contrastive stage: %s", contrastive)
        labeler.train()
    trainer = MultiTaskTrainer(
        model=module,
        args=hf_arguments(args.epochs),
        train_dataset=dataset,
        data_collator=DataCollatorWithPadding(labeler.tokenizer),
        callbacks=[DevSelection()],
    )
    trainer.train()
    scratch.cleanup()
    labeler.load_state_dict(best.pop("state"))
    labeler.eval()
    none_bias = tune_none_bias(labeler, selection, guard=guard, floor=args.guard_floor)
    smoothing = tune_topic_smoothing(labeler, selection)
    review_threshold = tune_review_threshold(labeler, selection)
    calibrated = {**selection_scores(labeler, selection), **guarded_scores(labeler, guard, args.guard_floor)}
    log.info("stance none bias %.2f, topic smoothing %.2f on %s: %s", none_bias, smoothing, list(selection), calibrated)
    return {
        "calibrated": {
            "stance_none_bias": none_bias,
            "topic_smoothing": smoothing,
            "review_threshold": review_threshold,
            **calibrated,
        },
        "examples": describe(examples),
        "guard": describe(guard) if guard else None,
        "n_examples": len(examples),
        "history": history,
        "best": {k: v for k, v in best.items()},
        "dev_before": {name: scores_from_counts(c) for name, c in before.items()} if before else None,
        "retraining": (
            {name: before_after(c, article_counts(labeler, selection[name])) for name, c in before.items()}
            if before
            else None
        ),
        "schema": schema,
        "train_seconds": round(time.time() - started, 1),
        "contrastive_stage": contrastive,
        "labeler": labeler,
    }
