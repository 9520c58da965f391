"""Multi-task fine-tuning of the labeler with the transformers Trainer, early-stopped on the seed dev split."""

from __future__ import annotations

import copy
import json
import logging
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from stancesum.models.article import Article
from stancesum.models.labeler import SentenceLabeler
from stancesum.models.schema import LabelSchema
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import Example, describe, seed_articles, training_examples

log = logging.getLogger(__name__)
TASKS = {"topic": 0, "stance": 1}


class MultiTaskModule(nn.Module):
    """Routes each row of a mixed batch to its head; class-weighted cross-entropy per task."""

    def __init__(self, labeler: SentenceLabeler, topic_weights: torch.Tensor, stance_weights: torch.Tensor):
        super().__init__()
        self.labeler = labeler
        self.topic_weights: torch.Tensor
        self.stance_weights: torch.Tensor
        self.register_buffer("topic_weights", topic_weights)
        self.register_buffer("stance_weights", stance_weights)

    def forward(self, input_ids, attention_mask, task, labels, token_type_ids=None, length=None):
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        pooled = self.labeler.pooled(input_ids, attention_mask, **extra)
        losses = []
        for name, head, weights in (
            ("topic", self.labeler.topic_head, self.topic_weights),
            ("stance", self.labeler.stance_head, self.stance_weights),
        ):
            rows = task == TASKS[name]
            if rows.any():
                logits = head(pooled[rows])
                losses.append(nn.functional.cross_entropy(logits, labels[rows], weight=weights, reduction="sum"))
        return {"loss": torch.stack(losses).sum() / len(labels)}


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


def dev_scores(labeler: SentenceLabeler, articles: list[Article], batch_size: int = 128) -> dict[str, float]:
    """Stance macro-F1 and topic accuracy on gold sentences; `score` (their mean) selects the model."""
    from sklearn.metrics import accuracy_score, f1_score

    sents = [(s.text, a.title or "", s.topic) for a in articles for s in a.sentences if s.topic]
    topic_pred = labeler.predict_topics([s[0] for s in sents], [s[1] for s in sents], batch_size=batch_size).argmax(1)
    topic_gold = [labeler.schema.topic_index(s[2]) for s in sents]
    pairs = [(t, s.text, lab) for a in articles for s in a.sentences for t, lab in s.stance.items()]
    stance_pred = labeler.predict_stances([p[0] for p in pairs], [p[1] for p in pairs], batch_size=batch_size).argmax(1)
    stance_gold = [labeler.schema.stance_index(p[2]) for p in pairs]
    macro = f1_score(stance_gold, stance_pred, labels=[0, 1, 2], average="macro", zero_division=0)
    acc = accuracy_score(topic_gold, topic_pred)
    return {"stance_macro_f1": float(macro), "topic_accuracy": float(acc), "score": float((macro + acc) / 2)}


def tune_none_bias(labeler: SentenceLabeler, articles: list[Article], grid: np.ndarray | None = None) -> float:
    """The prior on 'none' (log-odds) that maximises stance macro-F1 on `articles`; stored in the labeler's config."""
    from sklearn.metrics import f1_score

    from stancesum.models.labeler import apply_none_bias

    pairs = [(t, s.text, lab) for a in articles for s in a.sentences for t, lab in s.stance.items()]
    if not pairs:
        return 0.0
    labeler.config.stance_none_bias = 0.0
    probs = labeler.predict_stances([p[0] for p in pairs], [p[1] for p in pairs])
    gold = [labeler.schema.stance_index(p[2]) for p in pairs]
    none = labeler.schema.stance_index("none")
    grid = np.arange(-1.0, 3.01, 0.25) if grid is None else grid
    scores = [f1_score(gold, apply_none_bias(probs, none, b).argmax(1), average="macro") for b in grid]
    best = float(grid[int(np.argmax(scores))])  # first of equal scores: the smallest shift from the trained model
    labeler.config.stance_none_bias = best
    return best


def _encode(examples: list[Example], labeler: SentenceLabeler):
    from datasets import Dataset

    schema = labeler.schema
    ds = Dataset.from_dict(
        {
            "first": [e.first for e in examples],
            "second": [e.second or "" for e in examples],
            "has_second": [e.second is not None for e in examples],
            "task": [TASKS[e.task] for e in examples],
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


def _extended_schema(args: TrainingArguments, schema: LabelSchema) -> LabelSchema:
    """The schema plus topic labels that first appear in --data files (read raw: the loader checks labels)."""
    new: list[str] = []
    for path in args.extra_data:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                for s in json.loads(line).get("sentences") or []:
                    if s.get("topic") and s["topic"] not in schema.topics and s["topic"] not in new:
                        new.append(s["topic"])
    return schema.with_topics(new)


def build_labeler(args: TrainingArguments) -> SentenceLabeler:
    if args.init_from:
        labeler = SentenceLabeler.from_pretrained(args.init_from)
        labeler.extend_schema(_extended_schema(args, labeler.schema))
    else:
        labeler = SentenceLabeler.from_base(
            args.base_model,
            _extended_schema(args, LabelSchema()),
            max_length=args.max_length,
            topic_context=args.topic_context,
        )
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


def train(args: TrainingArguments, progress: bool = True) -> dict:
    """Train, keep the best dev checkpoint, save it to args.output_dir; returns the run's record."""
    from transformers import DataCollatorWithPadding, Trainer, TrainerCallback, set_seed
    from transformers import TrainingArguments as HFTrainingArguments

    torch.set_num_threads(args.threads)
    set_seed(args.seed)
    started = time.time()
    labeler = build_labeler(args)
    schema = labeler.schema
    examples = training_examples(args, schema)
    dev = seed_articles(args, "dev", schema)
    log.info("training examples: %s", describe(examples))
    module = MultiTaskModule(
        labeler,
        class_weights(examples, "topic", schema.topic_labels, args.class_weighting),
        class_weights(examples, "stance", list(schema.stances), args.class_weighting),
    )
    dataset = _encode(examples, labeler)
    before = dev_scores(labeler, dev) if args.init_from else None
    history: list[dict] = []
    best: dict = {"score": -math.inf}

    class DevSelection(TrainerCallback):
        """Scores the seed dev split, keeps the best weights in memory, stops after `patience` evaluations
        without gain."""

        def __init__(self) -> None:
            self.bad_evals = 0

        def on_step_end(self, hf_args, state, control, **kwargs):  # type: ignore[override]  # `args` is ours
            if state.global_step % args.eval_steps == 0:
                self.select(state, control)
            return control

        def on_train_end(self, hf_args, state, control, **kwargs):  # type: ignore[override]
            if not history or history[-1]["step"] != state.global_step:  # the final weights are a candidate too
                self.select(state, control)

        def select(self, state, control):
            scores = dev_scores(labeler, dev)
            labeler.train()
            history.append({"step": state.global_step, "epoch": round(state.epoch or 0, 3), **scores})
            log.info("dev at step %d: %s", state.global_step, scores)
            if scores["score"] > best["score"]:
                best.update(scores, step=state.global_step, state=copy.deepcopy(labeler.state_dict()))
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

    hf_args = HFTrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="stancesum-train-"),
        num_train_epochs=args.epochs,
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
    trainer = MultiTaskTrainer(
        model=module,
        args=hf_args,
        train_dataset=dataset,
        data_collator=DataCollatorWithPadding(labeler.tokenizer),
        callbacks=[DevSelection()],
    )
    trainer.train()
    labeler.load_state_dict(best.pop("state"))
    labeler.eval()
    none_bias = tune_none_bias(labeler, dev)
    calibrated = dev_scores(labeler, dev)
    log.info("stance none bias %.2f on dev: %s", none_bias, calibrated)
    return {
        "calibrated": {"stance_none_bias": none_bias, **calibrated},
        "examples": describe(examples),
        "n_examples": len(examples),
        "history": history,
        "best": {k: v for k, v in best.items()},
        "dev_before": before,
        "schema": schema,
        "train_seconds": round(time.time() - started, 1),
        "labeler": labeler,
    }
