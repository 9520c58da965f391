"""IBM Debater Claim Stance v1 (Bar-Haim et al. 2017): Wikipedia claims labeled PRO/CON toward a debate motion.

Source: research.ibm.com/haifa/dept/vst/debating_data.shtml. License: CC BY-SA 3.0 (claims (c) Wikipedia).
Read from `<data_dir>/ibm_claim_stance/claim_stance_dataset_v1.repaired.csv` (2,386 of the 2,394 claims).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from stancesum.training.corpora.types import CorpusError, StanceExample, read_csv, require, resolve_data_dir

COLUMNS = (
    "topicId",
    "split",
    "topicText",
    "topicTarget",
    "topicSentiment",
    "claims.stance",
    "claims.claimCorrectedText",
)
STANCE = {"PRO": 1, "CON": -1}


def ibm_claim_stance(
    data_dir: str | Path | None = None, target: Literal["motion", "topic_target"] = "motion"
) -> list[StanceExample]:
    """One example per claim: text = the corrected claim text; the dataset's own train/test split (by topic).

    How the columns orient the stance (dataset README, semantic model of Bar-Haim et al. 2017):
    `claims.stance` is the claim's stance toward the *motion* (`topicText`, "This house would ban boxing");
    `topicSentiment` is the motion's sentiment toward its target (`topicTarget`, "boxing": -1, the motion
    wants it banned); for compatible claims stance = topicSentiment x claimSentiment x targetsRelation,
    which holds for 2,244 of the 2,253 compatible rows here.

    - target="motion" (default): target = topicText, PRO -> favor, CON -> against, as labeled.
    - target="topic_target": target = topicTarget, the stance re-oriented toward it:
      stance x topicSentiment (a PRO claim on "ban boxing" is against "boxing").
    Group = topicId.
    """
    if target not in ("motion", "topic_target"):
        raise ValueError(f"target must be 'motion' or 'topic_target', got {target!r}")
    path = require(
        resolve_data_dir(data_dir) / "ibm_claim_stance" / "claim_stance_dataset_v1.repaired.csv",
        "IBM Debater Claim Stance",
        "research.ibm.com/haifa/dept/vst/debating_data.shtml",
    )
    out = []
    for i, r in enumerate(read_csv(path, required=COLUMNS), start=2):
        try:
            stance, sentiment = STANCE[r["claims.stance"].strip()], int(float(r["topicSentiment"]))
            split = {"train": "train", "test": "test"}[r["split"].strip()]
        except (KeyError, ValueError) as err:
            raise CorpusError(f"{path}: row {i}: bad stance, topicSentiment or split ({err})") from err
        if target == "topic_target":
            if sentiment not in (1, -1):
                raise CorpusError(f"{path}: row {i}: topicSentiment must be 1 or -1, got {r['topicSentiment']!r}")
            stance *= sentiment
        text = r["claims.claimCorrectedText"].strip() or r.get("claims.claimOriginalText", "").strip()
        out.append(
            StanceExample(
                target=(r["topicText"] if target == "motion" else r["topicTarget"]).strip(),
                text=text,
                label="favor" if stance == 1 else "against",
                source="ibm_claim_stance",
                group=r["topicId"],
                split=split,
            )
        )
    return out
