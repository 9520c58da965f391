"""BBC News Summary (Greene & Cunningham 2006 articles; extractive summaries from Kaggle "BBC News Summary").

2,225 BBC articles from 2004-2005 in five categories, each with an extract of its own sentences.
License: copyright BBC, research use only. Read from `<data_dir>/bbc_news_summary/articles/<category>/NNN.txt`
(first line the title, a blank line, then the body) and `summaries/<category>/NNN.txt` (the extract: article
sentences run together with no space between them).
One file, articles/sport/199.txt, is not UTF-8 (a cp1252 pound sign); it is read as cp1252 with a warning.
"""

from __future__ import annotations

from pathlib import Path

from stancesum.training.corpora.types import (
    SummaryDocument,
    TopicExample,
    assign_splits,
    read_text,
    require,
    resolve_data_dir,
    split_sentences,
    stable_hash,
)

ORIGIN = "Greene & Cunningham 2006, BBC datasets; Kaggle 'BBC News Summary'"
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
# The mapping and its reasons are in TOPIC_MAPPING.md.
TOPIC_OF_CATEGORY = {
    "business": "economy_business",
    "entertainment": "culture_sports",
    "sport": "culture_sports",
    "politics": "domestic_politics",
    "tech": "science_technology",
}


def _articles(data_dir: str | Path | None) -> list[tuple[str, str, str]]:
    """(id "category/NNN", title, body) of every article, sorted by id."""
    root = require(resolve_data_dir(data_dir) / "bbc_news_summary" / "articles", "BBC News Summary", ORIGIN)
    out = []
    for category in CATEGORIES:
        for path in sorted((root / category).glob("*.txt")):
            title, _, body = read_text(path).strip().partition("\n")
            out.append((f"{category}/{path.stem}", title.strip(), body.strip()))
    if not out:
        raise FileNotFoundError(f"{root}: no <category>/NNN.txt articles (BBC News Summary, {ORIGIN})")
    return out


def article_splits(ids: list[str]) -> dict[str, str]:
    """The fixed split of BBC articles shared by `bbc_summary` and `bbc_topics`: ~10% dev, ~10% test by a
    salted hash of the id ("business/001"), the rest train."""
    return assign_splits(ids, salt="bbc_news_summary", dev=0.1, test=0.1)


def bbc_summary(data_dir: str | Path | None = None) -> list[SummaryDocument]:
    """Articles as SummaryDocuments: sentences = the body cut at every ". " (the unit the extracts were made
    of, so a quote's '"...!" said X.' tail is a unit of its own; the title is `title`),
    reference = the extract with a space restored between its sentences, reference_sentence_ids = the
    (sorted) indices of the body sentences the extract consists of. The extract is read left to right,
    taking at each point the longest body sentence it starts with; text that no body sentence matches
    (the extractor cut a few sentences differently, 21 articles) stays in the reference but gets no id."""
    root = resolve_data_dir(data_dir) / "bbc_news_summary" / "summaries"
    articles = _articles(data_dir)
    splits = article_splits([a[0] for a in articles])
    out = []
    for doc_id, title, body in articles:
        extract = read_text(require(root / f"{doc_id}.txt", "BBC News Summary", ORIGIN)).strip()
        sentences = split_sentences(body, guarded=False)
        pieces, ids = match_extract(extract, sentences)
        out.append(
            SummaryDocument(
                id=doc_id,
                title=title,
                sentences=sentences,
                reference=" ".join(pieces),
                reference_sentence_ids=ids,
                source="bbc_news_summary",
                split=splits[doc_id],
            )
        )
    return out


def match_extract(extract: str, sentences: list[str]) -> tuple[list[str], list[int]]:
    """Cut an extract into pieces, each a whole sentence of `sentences` where one matches there;
    returns (pieces, sorted indices of the matched sentences)."""
    first: dict[str, int] = {}
    for i, s in enumerate(sentences):
        first.setdefault(s, i)
    candidates = sorted(first, key=len, reverse=True)
    pieces, ids, pos, residue_start = [], set(), 0, None
    while pos < len(extract):
        if extract[pos].isspace():
            pos += 1
            continue
        match = next((s for s in candidates if extract.startswith(s, pos)), None)
        if match is None:
            residue_start = pos if residue_start is None else residue_start
            pos += 1
            continue
        if residue_start is not None:
            pieces.append(extract[residue_start:pos].strip())
            residue_start = None
        pieces.append(match)
        ids.add(first[match])
        pos += len(match)
    if residue_start is not None:
        pieces.append(extract[residue_start:].strip())
    return [p for p in pieces if p], sorted(ids)


def bbc_topics(data_dir: str | Path | None = None, max_per_label: int = 1500, min_words: int = 5) -> list[TopicExample]:
    """Sentences (title and body) labeled with their article's category mapped into the schema
    (TOPIC_MAPPING.md; all five categories map, entertainment and sport both to culture_sports).
    Sentences of fewer than `min_words` words are skipped. At most `max_per_label` sentences per schema label,
    chosen by a stable hash of (article id, sentence index) so that they spread over many articles.
    Split by article, the same split as `bbc_summary`. Output in article and sentence order."""
    articles = _articles(data_dir)
    splits = article_splits([a[0] for a in articles])
    by_label: dict[str, list[tuple[str, int, str]]] = {}
    for doc_id, title, body in articles:
        label = TOPIC_OF_CATEGORY[doc_id.split("/")[0]]
        for i, s in enumerate([title] + split_sentences(body)):
            if len(s.split()) >= min_words:
                by_label.setdefault(label, []).append((doc_id, i, s))
    kept: list[tuple[str, int, str, str]] = []
    for label, items in by_label.items():
        items.sort(key=lambda x: (stable_hash(f"{x[0]}#{x[1]}", "bbc_topics"), x[0], x[1]))
        kept.extend((doc_id, i, s, label) for doc_id, i, s in items[:max_per_label])
    kept.sort(key=lambda x: (x[0], x[1]))
    return [
        TopicExample(text=s, topic=label, source="bbc_news_summary", split=splits[doc_id])
        for doc_id, _, s, label in kept
    ]
