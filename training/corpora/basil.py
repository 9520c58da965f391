"""BASIL (Fan et al. 2019): 300 news articles (Fox, NYT, HuffPost) with bias spans toward target entities.

Source: github.com/marshallwhiteorg/emnlp19-media-bias (EMNLP 2019 "In Plain Sight"). License: none stated.
Layout read: `<data_dir>/basil/articles/<year>/<triplet>_<n>.json` (title, main-entities, body-paragraphs as
lists of sentences) and `<data_dir>/basil/annotations/resolved/<year>/<triplet>_<n>_ann.json`
(phrase-level-annotations). A span's `id` names its sentence: "p<k>" is the k-th sentence of the body
counted over all paragraphs, "p<k>_<m>" a duplicate of it made for overlapping spans, "title" the title;
`start`/`end` are offsets in that sentence. Annotations are paired with articles by file path, because
four articles carry the uuid "empty".
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from stancesum.training.corpora.types import (
    CorpusError,
    StanceExample,
    assign_splits,
    read_json,
    require,
    resolve_data_dir,
)

ORIGIN = "github.com/marshallwhiteorg/emnlp19-media-bias"
POLARITY = {"pos": "favor", "neg": "against"}
_SPAN_ID = re.compile(r"p(\d+)(?:_\d+)?|title")
# Words that make an entity name a group, body, law or thing rather than a person.
_NOT_PERSON = set(
    [
        "and",
        "administration",
        "campaign",
        "department",
        "act",
        "bill",
        "house",
        "senate",
        "party",
        "association",
        "service",
        "congress",
        "committee",
        "members",
        "leaders",
        "officials",
        "lawmakers",
        "democrats",
        "republicans",
        "authorities",
        "attacks",
        "companies",
        "programs",
        "court",
        "enquirer",
        "now",
    ]
)
_SUFFIXES = {"Jr.", "Sr.", "II", "III"}


def basil(data_dir: str | Path | None = None, include_indirect: bool = False) -> list[StanceExample]:
    """Sentence-level stance toward entities, target = the span's target entity ("Donald_Trump" -> "Donald Trump").

    - favor / against: a sentence with a span whose polarity toward the target is pos / neg. Only direct spans
      (aim "dir") by default: an indirect span criticizes the target's ally or opponent (aim ind_pro /
      ind_anti / ind_general), which the sentence alone rarely shows; `include_indirect=True` keeps them.
      A sentence with both polarities toward one target is skipped.
    - none: a sentence of the same article that mentions one of the article's entities (its span targets
      and main-entities) by full name, case-insensitive, or, for a person, by last name, case-sensitive
      (unless two persons of the article share it), and carries no span toward it, not even an indirect
      one. BASIL marks bias, not every stance, so a few of these may still lean; they are the closest the
      corpus comes to a neutral class.
    A one-word target that is the last name of a person target of the same article ("Trump", "Donald Trump")
    is merged into that person. Split by triplet (the three outlets' articles on one event stay together):
    about 80/10/10 of the 100 triplets by a salted stable hash. Group = triplet id.
    """
    root = resolve_data_dir(data_dir) / "basil"
    ann_dir = require(root / "annotations" / "resolved", "BASIL", ORIGIN)
    ann_paths = sorted(ann_dir.glob("*/*_ann.json"))
    if not ann_paths:
        raise FileNotFoundError(f"{ann_dir}: no */*_ann.json annotation files (BASIL, {ORIGIN})")
    articles = []
    for ann_path in ann_paths:
        art_path = root / "articles" / ann_path.parent.name / ann_path.name.replace("_ann.json", ".json")
        articles.append((require(art_path, "BASIL", ORIGIN), read_json(art_path), ann_path, read_json(ann_path)))
    splits = assign_splits((a["triplet-uuid"] for _, a, _, _ in articles), salt="basil", dev=0.1, test=0.1)
    out: list[StanceExample] = []
    for _, article, ann_path, ann in articles:
        group = article["triplet-uuid"]
        out.extend(
            StanceExample(target=t, text=s, label=label, source="basil", group=group, split=splits[group])
            for s, t, label in _article_examples(article, ann, ann_path, include_indirect)
        )
    return out


def _article_examples(article: dict, ann: dict, ann_path: Path, include_indirect: bool) -> list[tuple[str, str, str]]:
    """(sentence, target, label) of one article, in sentence order."""
    sentences = [article["title"].strip()] + [s.strip() for p in article["body-paragraphs"] for s in p]
    spans = ann["phrase-level-annotations"]
    names = _canonical_names([s["target"] for s in spans] + list(article.get("main-entities", [])))
    polarities: dict[tuple[int, str], set[str]] = defaultdict(set)
    touched: set[tuple[int, str]] = set()
    for span in spans:
        index = _sentence_index(span, sentences, ann_path)
        key = (index, names[_key(span["target"])])
        touched.add(key)
        if span.get("aim", "dir") == "dir" or include_indirect:
            if span["polarity"] not in POLARITY:
                raise CorpusError(f"{ann_path}: span {span['id']}: unknown polarity {span['polarity']!r}")
            polarities[key].add(POLARITY[span["polarity"]])
    out = []
    entities = sorted(set(names.values()))
    last_names = [_last_name(n) for n in entities if _is_person(n)]
    patterns = {
        n: _mention_pattern(n, by_last_name=_is_person(n) and last_names.count(_last_name(n)) == 1) for n in entities
    }
    for i, sentence in enumerate(sentences):
        for name, pattern in patterns.items():
            labels = polarities.get((i, name))
            if labels:
                if len(labels) == 1:
                    out.append((sentence, name, next(iter(labels))))
            elif (i, name) not in touched and pattern.search(sentence):
                out.append((sentence, name, "none"))
    return out


def _sentence_index(span: dict, sentences: list[str], ann_path: Path) -> int:
    """Index into [title] + body sentences; checks that the span's text is in that sentence."""
    match = _SPAN_ID.fullmatch(span["id"])
    index = 0 if match is None or match.group(1) is None else int(match.group(1)) + 1
    if match is None or index >= len(sentences) or span["txt"].strip() not in sentences[index]:
        raise CorpusError(
            f"{ann_path}: span {span['id']!r} ({span['txt'][:40]!r}) does not match a sentence of its article"
        )
    return index


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


def _canonical_names(raw: list[str]) -> dict[str, str]:
    """Key of every raw entity name -> its display name; one-word last names fold into the article's person."""
    display: dict[str, str] = {}
    for name in raw:
        name = " ".join(name.replace("_", " ").split())
        old = display.get(_key(name))
        if old is None or sum(c.isupper() for c in name) > sum(c.isupper() for c in old):
            display[_key(name)] = name  # "Lois Lerner" over "Lois lerner"
    persons = [n for n in display.values() if _is_person(n)]
    for key, name in list(display.items()):
        if " " not in name:
            owners = {p for p in persons if _last_name(p).casefold() == key}
            if len(owners) == 1:
                display[key] = owners.pop()
    return display


def _is_person(name: str) -> bool:
    tokens = name.split()
    return (
        2 <= len(tokens) <= 4
        and all(t[0].isupper() for t in tokens)
        and not any(t.casefold() in _NOT_PERSON or t in _SUFFIXES or "/" in t or "'" in t or "’" in t for t in tokens)
    )


def _last_name(name: str) -> str:
    return name.split()[-1]


def _mention_pattern(name: str, by_last_name: bool) -> re.Pattern:
    full = rf"(?i:(?<!\w){re.escape(name)}(?!\w))"
    return re.compile(rf"{full}|(?<!\w){re.escape(_last_name(name))}(?!\w)" if by_last_name else full)
