"""Emergent (Ferreira & Vlachos 2016): news headlines labeled for stance toward a claim.

Source: github.com/willferreira/mscproject, training part of the official split (240 claims, 2,071 pairs).
License: none stated (research data). Read from `<data_dir>/emergent/emergent_train.csv`.
"""

from __future__ import annotations

from pathlib import Path

from stancesum.training.corpora.types import (
    CorpusError,
    StanceExample,
    assign_splits,
    read_csv,
    require,
    resolve_data_dir,
)

LABELS = {"for": "favor", "against": "against", "observing": "none"}
COLUMNS = ("claimHeadline", "articleHeadline", "articleHeadlineStance", "claimId")


def emergent(data_dir: str | Path | None = None, dev_fraction: float = 0.2) -> list[StanceExample]:
    """One example per (claim, headline) row: target = claimHeadline, text = articleHeadline.

    Only the training file is public here, so a dev split is carved by claim: the claims are ordered by a
    salted SHA-256 of their claimId and the first `dev_fraction` of them (48 of 240) are dev, the rest train.
    """
    path = require(
        resolve_data_dir(data_dir) / "emergent" / "emergent_train.csv", "Emergent", "github.com/willferreira/mscproject"
    )
    rows = read_csv(path, required=COLUMNS)
    splits = assign_splits((r["claimId"] for r in rows), salt="emergent", dev=dev_fraction)
    out = []
    for i, r in enumerate(rows, start=2):
        stance = r["articleHeadlineStance"].strip().lower()
        if stance not in LABELS:
            raise CorpusError(f"{path}: row {i}: unknown stance {r['articleHeadlineStance']!r}")
        out.append(
            StanceExample(
                target=r["claimHeadline"].strip(),
                text=r["articleHeadline"].strip(),
                label=LABELS[stance],
                source="emergent",
                group=r["claimId"],
                split=splits[r["claimId"]],
            )
        )
    return out
