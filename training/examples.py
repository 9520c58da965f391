"""The training mixture: seed-corpus and public-corpus examples for the topic and the stance head."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stancesum.models.article import Article
from stancesum.models.articles_io import load_articles
from stancesum.models.labeler_config import stance_contexts, stance_first_segments
from stancesum.models.schema import LabelSchema
from stancesum.training.arguments import TrainingArguments
from stancesum.training.corpora.types import StanceExample, carve_guard


@dataclass(frozen=True)
class Example:
    """One input of one head: (sentence[, title]) for topic, (target, sentence) for stance."""

    task: str
    first: str
    second: str | None
    label: str
    source: str


SPLITS: tuple[str, ...] = ("train", "dev", "test", "ood_dev", "ood_test")
READABLE_SPLITS: tuple[str, ...] = ("train", "dev", "ood_dev")  # train to learn; dev and ood_dev to select
SIDED_ONLY_SOURCES = frozenset({"perspectrum", "ibm_claim_stance"})  # stance corpora with no 'none' class


def load_split_ids(path: str | Path) -> dict[str, set[str]]:
    """Article ids per split of a splits file (a split it does not name is empty)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: set(data.get(k, [])) for k in SPLITS}


def seed_articles(args: TrainingArguments, split: str, schema: LabelSchema | None = None) -> list[Article]:
    """The seed corpus articles of one split: train, dev or ood_dev. test and ood_test are never read for training.
    `args.seed_rounds` narrows train (never the selection splits) to articles of those annotation rounds."""
    if split not in READABLE_SPLITS:
        raise ValueError(f"training reads the seed corpus splits {', '.join(READABLE_SPLITS)} only, never {split}")
    ids = load_split_ids(args.splits_path)[split]
    articles = [a for a in load_articles(args.seeds_path, schema) if a.id in ids]
    if split == "train" and args.seed_rounds is not None:
        articles = [a for a in articles if (a.annotation or {}).get("round") in args.seed_rounds]
    return articles


def article_examples(
    articles: list[Article],
    source: str,
    topic_context: str = "none",
    stance_context: str = "none",
    target_for: Callable[[str], str] | None = None,
) -> list[Example]:
    """Topic and stance examples from annotated articles (unlabeled sentences are skipped); `target_for` rewords
    the target of a stance pair (a paraphrase), keeping its label."""
    out: list[Example] = []
    for a in articles:
        contexts = stance_contexts([s.text for s in a.sentences], a.title)
        for s, context in zip(a.sentences, contexts, strict=True):
            if s.topic is not None:
                out.append(Example("topic", s.text, a.title if topic_context == "title" else None, s.topic, source))
            targets = list(s.stance)
            worded = [target_for(t) for t in targets] if target_for else targets
            firsts = stance_first_segments(stance_context, worded, [s.text] * len(targets), [context] * len(targets))
            out.extend(Example("stance", f, s.text, s.stance[t], source) for f, t in zip(firsts, targets, strict=True))
    return out


FLIPPED = {"favor": "against", "against": "favor", "none": "none"}


def load_target_map(path: str | Path, field: str) -> dict[str, str]:
    """target -> another wording, from a JSONL of {"target", field} (null: the target has none)."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                target, other = row["target"], row[field]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{number}: needs a JSON object with 'target' and '{field}' ({err})") from None
            if not isinstance(target, str) or not (other is None or isinstance(other, str) and other.strip()):
                raise ValueError(f"{path}:{number}: 'target' must be a string and '{field}' a string or null")
            if other is not None:
                out[target] = other.strip()
    return out


def negated_examples(
    articles: list[Article], negations: dict[str, str], none_share: float, rng: random.Random, stance_context: str
) -> list[Example]:
    """Counterfactual stance pairs: each pair toward a target that has a negation, once more toward the negation
    with favor and against swapped; sided pairs always, `none` pairs with probability `none_share` (Kaushik et al.
    2020 found such minimally different pairs make a classifier rely less on cues that do not carry the label)."""
    out: list[Example] = []
    for a in articles:
        contexts = stance_contexts([s.text for s in a.sentences], a.title)
        for s, context in zip(a.sentences, contexts, strict=True):
            for target, label in s.stance.items():
                if target not in negations or (label == "none" and rng.random() >= none_share):
                    continue
                (first,) = stance_first_segments(stance_context, [negations[target]], [s.text], [context])
                out.append(Example("stance", first, s.text, FLIPPED[label], "seeds_negated"))
    return out


def _stratified_sample(items: list, key, count: int, rng: random.Random) -> list:
    """`count` items, spread over labels as evenly as the data allows (-1: all).

    A count above the pool repeats the whole pool as often as it fits and samples the rest, so a source can keep
    its share of an epoch when the seed corpus grows.
    """
    if count == -1 or count == len(items) or not items:
        return list(items)
    if count > len(items):
        whole, rest = divmod(count, len(items))
        return list(items) * whole + _stratified_sample(items, key, rest, rng)
    by_label: dict[str, list] = defaultdict(list)
    for item in items:
        by_label[key(item)].append(item)
    for group in by_label.values():
        rng.shuffle(group)
    chosen: list = []
    labels = sorted(by_label)
    while len(chosen) < count and labels:
        share = max(1, (count - len(chosen)) // len(labels))
        for label in list(labels):
            take, by_label[label] = by_label[label][:share], by_label[label][share:]
            chosen.extend(take[: count - len(chosen)])
            if not by_label[label]:
                labels.remove(label)
    return chosen


def public_examples(args: TrainingArguments, schema: LabelSchema, rng: random.Random) -> list[Example]:
    """Training-split examples of the public corpora, capped per source as the arguments say."""
    wanted = [n for n, c in {**args.stance_sources, **args.topic_sources}.items() if n != "seeds" and c != 0]
    if not wanted:
        return []
    from stancesum.training.corpora import STANCE_CORPORA, TOPIC_CORPORA

    data_dir = Path(args.data_dir)
    out: list[Example] = []
    for name, count in args.stance_sources.items():
        if name == "seeds" or count == 0:
            continue
        loader = STANCE_CORPORA["vast_by_topic" if name == "vast" else name]  # VAST ships as one dev split
        rows = [r for r in _with_guard(name, loader(data_dir), args) if r.split == "train"]
        out.extend(
            Example("stance", r.target, r.text, r.label, name)
            for r in _stratified_sample(rows, lambda r: r.label, count, rng)
        )
    for name, count in args.topic_sources.items():
        if name == "seeds" or count == 0:
            continue
        topic_rows = [r for r in TOPIC_CORPORA[name](data_dir) if r.split == "train" and r.topic in schema.topics]
        out.extend(
            Example("topic", r.text, None, r.topic, name)
            for r in _stratified_sample(topic_rows, lambda r: r.topic, count, rng)
        )
    return out


GUARDED_CORPUS = "emergent"  # the corpus args.emergent_guard carves its guard from


def _with_guard(name: str, rows: list[StanceExample], args: TrainingArguments) -> list[StanceExample]:
    """The corpus's rows with args.emergent_guard of its train groups moved to the split "guard", if it is guarded."""
    return carve_guard(rows, args.emergent_guard, salt=f"{name}-guard") if name == GUARDED_CORPUS else rows


def guard_examples(args: TrainingArguments) -> list[Example]:
    """The Emergent claims held out of training as a selection guard (args.emergent_guard; empty when 0)."""
    if args.emergent_guard == 0:
        return []
    from stancesum.training.corpora import STANCE_CORPORA

    rows = _with_guard(GUARDED_CORPUS, STANCE_CORPORA[GUARDED_CORPUS](args.data_dir), args)
    return [Example("stance", r.target, r.text, r.label, f"{GUARDED_CORPUS}_guard") for r in rows if r.split == "guard"]


def training_examples(
    args: TrainingArguments, schema: LabelSchema, skip: set[tuple[str, str]] | None = None
) -> list[Example]:
    """The whole mixture for one epoch, shuffled with the run's seed; `skip`: (--data file, article id) to leave out."""
    skip = skip or set()
    rng = random.Random(args.seed)
    train = seed_articles(args, "train", schema)
    target_for = None
    if args.target_paraphrases is not None:
        paraphrases = load_target_map(args.target_paraphrases_path, "paraphrase")

        def target_for(target: str) -> str:
            return paraphrases[target] if target in paraphrases and rng.random() < args.paraphrase_share else target

    seeds = article_examples(train, "seeds", args.topic_context, args.stance_context, target_for)
    keep_topic, keep_stance = args.topic_sources.get("seeds", -1) != 0, args.stance_sources.get("seeds", -1) != 0
    seeds = [e for e in seeds if (e.task == "topic" and keep_topic) or (e.task == "stance" and keep_stance)]
    if args.negated_targets is not None and keep_stance:
        negations = load_target_map(args.negated_targets_path, "negation")
        seeds += negated_examples(train, negations, args.negated_none_share, rng, args.stance_context)
    original = seeds * args.seed_repeats + public_examples(args, schema, rng)
    if args.extra_data:
        extra = [
            e
            for path in args.extra_data
            for e in article_examples(
                [a for a in load_articles(path, schema) if (str(path), a.id) not in skip],
                f"data:{Path(path).name}",
                args.topic_context,
                args.stance_context,
            )
        ]
        if args.init_from is not None:  # retraining: new data plus a replay sample of the original mixture
            original = rng.sample(original, min(args.replay_examples, len(original)))
        examples = extra * args.extra_repeats + original
    else:
        examples = original
    rng.shuffle(examples)
    return examples


def describe(examples: list[Example]) -> dict[str, dict[str, int]]:
    """Counts per (task, source) and label, for logs and the model card."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for e in examples:
        counts[f"{e.task}/{e.source}"][e.label] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(counts.items())}
