"""Perspectrum (Chen et al. 2019): debate claims and perspective sentences that support or undermine them.

Source: github.com/CogComp/perspectrum (v1.0). License: CC BY-SA 4.0.
Read from `<data_dir>/perspectrum/`: perspectrum_with_answers_v1.0.json (claims with perspective clusters),
perspective_pool_v1.0.json (perspective texts) and dataset_split_v1.0.json (train/dev/test by claim id).
"""

from __future__ import annotations

from pathlib import Path

from stancesum.training.corpora.types import CorpusError, StanceExample, read_json, require, resolve_data_dir

LABELS = {"support": "favor", "undermine": "against"}
ORIGIN = "github.com/CogComp/perspectrum"


def perspectrum(data_dir: str | Path | None = None) -> list[StanceExample]:
    """One example per claim-perspective link: target = claim text, text = perspective sentence.

    `stance_label_3` SUPPORT -> favor, UNDERMINE -> against (any other value, e.g. not-a-perspective, is
    skipped); every perspective of a cluster gets the cluster's label. Split and group = the claim id.
    A perspective linked twice to the same claim (same text) is kept once.
    """
    root = resolve_data_dir(data_dir) / "perspectrum"
    claims_path = require(root / "perspectrum_with_answers_v1.0.json", "Perspectrum", ORIGIN)
    pool_path = require(root / "perspective_pool_v1.0.json", "Perspectrum", ORIGIN)
    split_path = require(root / "dataset_split_v1.0.json", "Perspectrum", ORIGIN)
    pool = {int(p["pId"]): p["text"].strip() for p in read_json(pool_path)}
    split_of = {str(k): v for k, v in read_json(split_path).items()}
    out, seen = [], set()
    for claim in read_json(claims_path):
        cid = str(claim["cId"])
        if cid not in split_of:
            raise CorpusError(f"{split_path}: no split for claim {cid}")
        split = {"train": "train", "dev": "dev", "test": "test"}[split_of[cid]]
        for cluster in claim["perspectives"]:
            label = LABELS.get(str(cluster["stance_label_3"]).lower())
            if label is None:
                continue
            for pid in cluster["pids"]:
                if int(pid) not in pool:
                    raise CorpusError(
                        f"{claims_path}: claim {cid} cites perspective {pid}, absent from {pool_path.name}"
                    )
                text = pool[int(pid)]
                if (cid, text) in seen:
                    continue
                seen.add((cid, text))
                out.append(
                    StanceExample(
                        target=claim["text"].strip(),
                        text=text,
                        label=label,
                        source="perspectrum",
                        group=cid,
                        split=split,
                    )
                )
    return out
