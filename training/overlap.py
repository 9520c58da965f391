"""Overlap between new training articles and the evaluation splits, so that retraining cannot learn what it is
scored on: an exact copy (same normalised text) or a near copy (most of its word 8-grams shared with an
evaluation article, so a lightly edited copy is caught too); and duplicates within the new data.

Containment is |shared 8-grams| / |8-grams of the shorter text|: 1.0 for a copy, about 0.9 with one sentence of
twenty rewritten, near 0 for two reports of the same event in different words. At a few thousand articles an exact
set intersection is fast and has no false negatives, which MinHash-style sketches trade for scale.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from stancesum.models.article import Article

SHINGLE_WORDS = 8
NEAR_COPY_THRESHOLD = 0.5
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def text_hash(text: str) -> str:
    """sha256 of the text's words, case-folded: spacing, punctuation and case do not change it."""
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[int]:
    """Hashes of the text's word n-grams (the whole text as one gram when it is shorter than n words)."""
    w = words(text)
    grams = [" ".join(w[i : i + n]) for i in range(max(1, len(w) - n + 1))] if w else []
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams}


@dataclass(frozen=True)
class Match:
    """A new article that copies (`exact`) or nearly copies (`near`) another one."""

    new_id: str
    where: str  # file:line of the new article
    other_id: str
    split: str  # the other article's split ("new data" for a duplicate within the new data)
    kind: str
    containment: float

    def __str__(self) -> str:
        how = "exact copy of" if self.kind == "exact" else f"near copy ({self.containment:.0%} shared 8-grams) of"
        return f"{self.where}: article {self.new_id!r} is an {how} {self.split} article {self.other_id!r}"


class OverlapIndex:
    """Articles indexed by text hash and by 8-gram, to find the ones a new article copies."""

    def __init__(self, threshold: float = NEAR_COPY_THRESHOLD):
        self.threshold = threshold
        self.by_hash: dict[str, tuple[str, str]] = {}
        self.by_gram: dict[int, set[int]] = defaultdict(set)
        self.entries: list[tuple[str, str, int]] = []  # (id, split, number of grams)

    def add(self, article: Article, split: str) -> None:
        self.by_hash.setdefault(text_hash(article.text), (article.id, split))
        grams = shingles(article.text)
        k = len(self.entries)
        self.entries.append((article.id, split, len(grams)))
        for g in grams:
            self.by_gram[g].add(k)

    def matches(self, article: Article, where: str) -> list[Match]:
        """Every indexed article that `article` copies, exactly or nearly, the strongest first."""
        exact = self.by_hash.get(text_hash(article.text))
        if exact is not None:
            return [Match(article.id, where, exact[0], exact[1], "exact", 1.0)]
        grams = shingles(article.text)
        shared: dict[int, int] = defaultdict(int)
        for g in grams:
            for k in self.by_gram.get(g, ()):
                shared[k] += 1
        out = []
        for k, n in shared.items():
            other_id, split, size = self.entries[k]
            containment = n / max(1, min(len(grams), size))
            if containment >= self.threshold:
                out.append(Match(article.id, where, other_id, split, "near", containment))
        return sorted(out, key=lambda m: -m.containment)


def find_overlaps(
    new: Iterable[tuple[str, Article]], evaluation: dict[str, list[Article]], threshold: float = NEAR_COPY_THRESHOLD
) -> tuple[list[Match], list[Match]]:
    """(new articles that copy an evaluation article, new articles that copy an earlier new article).
    `new`: (file:line, article) pairs in input order; `evaluation`: articles per split name."""
    held_out = OverlapIndex(threshold)
    for split, articles in evaluation.items():
        for a in articles:
            held_out.add(a, split)
    seen, leaks, duplicates = OverlapIndex(threshold), [], []
    for where, article in new:
        found = held_out.matches(article, where)
        if found:
            leaks.append(found[0])
        earlier = seen.matches(article, where)
        if earlier:
            duplicates.append(earlier[0])
        else:
            seen.add(article, "new data")
    return leaks, duplicates
