"""XSum validation documents (Narayan et al. 2018): BBC articles with a one-sentence abstractive summary.

Source: github.com/EdinburghNLP/XSum; these 1,000 validation documents as shipped by a PyPI package.
License: Apache-2.0 (as shipped). Read from `<data_dir>/xsum_val/xsum_validation_1000.jsonl`
(one {"id", "document", "summary"} object a line; the document has one sentence a line).
"""

from __future__ import annotations

from pathlib import Path

from stancesum.training.corpora.types import (
    CorpusError,
    SummaryDocument,
    read_jsonl,
    require,
    resolve_data_dir,
    split_sentences,
)


def xsum_val(data_dir: str | Path | None = None) -> list[SummaryDocument]:
    """Evaluation only: split "test" throughout, title None, sentences = the document's lines (a line holding
    more than one sentence is split by the regex splitter), reference = the summary, no sentence ids.
    Documents with no text (one in this file) are skipped."""
    path = require(
        resolve_data_dir(data_dir) / "xsum_val" / "xsum_validation_1000.jsonl", "XSum", "github.com/EdinburghNLP/XSum"
    )
    out = []
    for i, record in enumerate(read_jsonl(path), start=1):
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("document", "summary")):
            raise CorpusError(f"{path}:{i}: expected an object with string fields document and summary")
        sentences = split_sentences(record["document"])
        if sentences:
            out.append(
                SummaryDocument(
                    id=str(record.get("id", i)),
                    title=None,
                    sentences=sentences,
                    reference=record["summary"].strip(),
                    reference_sentence_ids=None,
                    source="xsum",
                    split="test",
                )
            )
    return out
