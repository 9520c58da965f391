"""FNC-1, Fake News Challenge stage 1: headline / article-body pairs labeled agree, disagree, discuss, unrelated.

Source: github.com/FakeNewsChallenge/fnc-1 (training set; train_stances_reconstructed.csv rebuilds the
original train_stances.csv). License: none stated.
Read from `<data_dir>/fnc1/train_stances_reconstructed.csv` (Headline, Body ID, Stance) and
`<data_dir>/fnc1/train_bodies.csv` (Body ID, articleBody).
"""

from __future__ import annotations

import re
from pathlib import Path

from stancesum.training.corpora.types import (
    CorpusError,
    StanceExample,
    assign_splits,
    read_csv,
    require,
    resolve_data_dir,
    split_sentences,
    stable_hash,
)

ORIGIN = "github.com/FakeNewsChallenge/fnc-1"
STANCE_OF = {"agree": "favor", "disagree": "against", "discuss": "none", "unrelated": "none"}
_STOPWORDS = set(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "his",
        "her",
        "their",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "not",
        "no",
        "after",
        "over",
        "says",
        "said",
        "say",
        "new",
    ]
)


def fnc1(
    data_dir: str | Path | None = None,
    max_pairs: int = 6000,
    none_fraction: float = 0.25,
    top_k: int = 1,
    min_overlap: float = 0.25,
) -> list[StanceExample]:
    """Sentence-level examples: target = the headline (the claim), text = a sentence of the body.

    FNC-1 labels a whole body, so each pair is brought down to the body sentence(s) that speak to the
    headline: the `top_k` sentences with the highest share of the headline's content words (lower-cased
    word tokens minus stop words) that they contain, ties to the earlier sentence. An agree pair gives
    favor, disagree gives against; a pair whose best sentence covers less than `min_overlap` of the
    headline is dropped (the stance is not in one sentence). discuss and unrelated pairs give "none"
    (their best-matching sentence: reporting without taking a side, or off-topic) and are kept few:
    `none_fraction` of `max_pairs`, two parts discuss to one unrelated. Agree/disagree pairs fill the rest
    (all disagree first, they are rare). Sampling is by a stable hash of (headline, body), so deterministic.
    Exact duplicate rows (402) are read once. Split by Body ID, ~80/10/10; group = Body ID.
    """
    root = resolve_data_dir(data_dir) / "fnc1"
    stances_path = require(root / "train_stances_reconstructed.csv", "FNC-1", ORIGIN)
    bodies_path = require(root / "train_bodies.csv", "FNC-1", ORIGIN)
    bodies = {
        r["Body ID"].strip(): r["articleBody"] for r in read_csv(bodies_path, required=("Body ID", "articleBody"))
    }
    pairs: dict[tuple[str, str], str] = {}
    for i, r in enumerate(read_csv(stances_path, required=("Headline", "Body ID", "Stance")), start=2):
        stance, body_id = r["Stance"].strip().lower(), r["Body ID"].strip()
        if stance not in STANCE_OF:
            raise CorpusError(f"{stances_path}: row {i}: unknown stance {r['Stance']!r}")
        if body_id not in bodies:
            raise CorpusError(f"{stances_path}: row {i}: Body ID {body_id} is not in {bodies_path.name}")
        pairs.setdefault((r["Headline"].strip(), body_id), stance)
    splits = assign_splits((b for _, b in pairs), salt="fnc1", dev=0.1, test=0.1)

    n_none = round(max_pairs * none_fraction)
    n_stance = max_pairs - n_none
    quota = {"disagree": n_stance, "discuss": round(n_none * 2 / 3), "unrelated": n_none - round(n_none * 2 / 3)}
    by_stance: dict[str, list[tuple[str, str]]] = {s: [] for s in STANCE_OF}
    for pair, stance in pairs.items():
        by_stance[stance].append(pair)
    sentences: dict[str, list[str]] = {}
    chosen: list[tuple[tuple[str, str], str, list[str]]] = []
    for stance in ("disagree", "agree", "discuss", "unrelated"):
        if stance == "agree":
            quota["agree"] = n_stance - len(chosen)  # what disagree left
        taken = 0
        for pair in sorted(by_stance[stance], key=lambda p: (stable_hash("\x00".join(p), "fnc1"), p)):
            if taken >= quota[stance]:
                break
            body = sentences.setdefault(pair[1], [s for s in split_sentences(bodies[pair[1]]) if len(s.split()) >= 4])
            best = best_sentences(pair[0], body, top_k, min_overlap if stance in ("agree", "disagree") else 0.0)
            if best:
                chosen.append((pair, stance, best))
                taken += 1
    order = {pair: i for i, pair in enumerate(pairs)}
    chosen.sort(key=lambda c: order[c[0]])
    return [
        StanceExample(
            target=headline, text=text, label=STANCE_OF[stance], source="fnc1", group=body_id, split=splits[body_id]
        )
        for (headline, body_id), stance, texts in chosen
        for text in texts
    ]


def best_sentences(headline: str, sentences: list[str], top_k: int = 1, min_overlap: float = 0.0) -> list[str]:
    """The `top_k` sentences covering the largest share of the headline's content words (at least
    `min_overlap` of them, and at least one word), in body order."""
    words = _content_words(headline)
    if not words:
        return []
    scores = [len(words & _content_words(s)) / len(words) for s in sentences]
    ranked = sorted((i for i, x in enumerate(scores) if x > 0 and x >= min_overlap), key=lambda i: (-scores[i], i))
    return [sentences[i] for i in sorted(ranked[:top_k])]


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS and len(w) > 1}
