"""BABE, Bias Annotations By Experts (Spinde et al. 2021): news sentences with the search topic of their article.

Source: github.com/Media-Bias-Group (Neural-Media-Bias-Detection-Using-Distant-Supervision-With-BABE).
License: repository AGPL-3.0. Read from `<data_dir>/babe/final_labels_SG2.csv` (3,674 sentences) and
`final_labels_SG1.csv` (1,700; all but 6 of them are in SG2 too): `;`-separated, UTF-8 with a BOM.
"""

from __future__ import annotations

from pathlib import Path

from stancesum.training.corpora.types import (
    UNLABELED,
    StanceExample,
    TopicExample,
    assign_splits,
    read_csv,
    require,
    resolve_data_dir,
)

ORIGIN = "github.com/Media-Bias-Group"
FILES = ("final_labels_SG2.csv", "final_labels_SG1.csv")
# BABE spells three of its topics two ways; the readers see one spelling
TOPIC_ALIASES = {"vaccine": "vaccines", "blm": "black lives matter", "gun control": "gun-control"}
# BABE topic -> stancesum topic; None = dropped. Reasons in TOPIC_MAPPING.md.
TOPIC_MAP: dict[str, str | None] = {
    "environment": "environment_energy",
    "coronavirus": "health_medicine",
    "vaccines": "health_medicine",
    "universal health care": "health_medicine",
    "abortion": "society_rights",
    "gender": "society_rights",
    "immigration": "society_rights",
    "white-nationalism": "society_rights",
    "black lives matter": "society_rights",
    "taxes": "economy_business",
    "middle-class": "economy_business",
    "student-debt": "economy_business",
    "elections-2020": "domestic_politics",
    "trump-presidency": "domestic_politics",
    "sport": "culture_sports",
    "gun-control": None,
    "international-politics-and-world-news": None,
    "islam": None,
    "marriage-equality": None,
    "#metoo": None,
}


def _rows(data_dir: str | Path | None) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(sentence, article link, BABE topic in one spelling) per distinct sentence, SG2 first, and each article's split
    (~80/10/10)."""
    root = resolve_data_dir(data_dir) / "babe"
    rows, seen = [], set()
    for name in FILES:
        for r in read_csv(require(root / name, "BABE", ORIGIN), delimiter=";", required=("text", "news_link", "topic")):
            text = " ".join(r["text"].split())
            if text and text not in seen:
                seen.add(text)
                topic = r["topic"].strip().lower()
                rows.append((text, r["news_link"].strip() or text, TOPIC_ALIASES.get(topic, topic)))
    splits = assign_splits((link for _, link, _ in rows), salt="babe", dev=0.1, test=0.1)
    return rows, splits


def babe_topics(data_dir: str | Path | None = None) -> list[TopicExample]:
    """One example per distinct sentence (SG2 first, then the SG1 sentences SG2 lacks) whose BABE topic maps
    into the schema (TOPIC_MAP; dropped topics and unknown ones are skipped). The topic is the article's
    search topic, so it is a distant label for the sentence. Split by article (news_link), ~80/10/10."""
    rows, splits = _rows(data_dir)
    return [
        TopicExample(text=text, topic=mapped, source="babe", split=splits[link])
        for text, link, topic in rows
        if (mapped := TOPIC_MAP.get(topic))
    ]


# BABE topic -> a debatable position (seeds/GUIDELINES.md section 4) that sentences of that search topic take sides
# on; topics without one (sport, world news, the 2020 elections, Islam, gender, the middle class) are left out.
STANCE_TARGETS: dict[str, str] = {
    "environment": "stronger action against climate change",
    "coronavirus": "strict lockdown measures against COVID-19",
    "vaccines": "vaccination",
    "universal health care": "universal health care",
    "abortion": "legal access to abortion",
    "immigration": "stricter limits on immigration",
    "white-nationalism": "white nationalism",
    "black lives matter": "the Black Lives Matter movement",
    "taxes": "higher taxes on the wealthy",
    "student-debt": "cancelling student debt",
    "trump-presidency": "Donald Trump's policies as president",
    "gun-control": "stricter gun control laws",
    "marriage-equality": "same-sex marriage",
    "#metoo": "the #MeToo movement",
}


def babe_stance(data_dir: str | Path | None = None) -> list[StanceExample]:
    """Unlabeled stance pairs: each distinct BABE sentence toward its search topic's position (STANCE_TARGETS),
    label UNLABELED. BABE labels bias, not stance, so a teacher model labels these pairs (`distill_from`): a
    transfer set of opinionated sentences from outlets the seed corpus does not hold. Split by article, as
    babe_topics."""
    rows, splits = _rows(data_dir)
    return [
        StanceExample(target=target, text=text, label=UNLABELED, source="babe_stance", group=link, split=splits[link])
        for text, link, topic in rows
        if (target := STANCE_TARGETS.get(topic))
    ]
