"""The label schema: topic labels with their descriptions, and the stance labels."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

STANCE_LABELS: tuple[str, ...] = ("favor", "against", "none")

DEFAULT_TOPICS: dict[str, str] = {
    "military_defense": (
        "armed forces, fighting, weapons and military aid, troop deployments, "
        "defence budgets and spending, military threats, terrorism and its suppression."
    ),
    "diplomacy_foreign_affairs": (
        "relations between states, negotiations and peace talks, summits, "
        "alliances as political bodies, sanctions, foreign-policy positions, international organisations."
    ),
    "domestic_politics": (
        "elections, referendums, parties, politicians and appointments, legislatures, government operations, campaigns."
    ),
    "economy_business": (
        "economy, markets, companies, trade, jobs, taxes, public budgets other than defence, prices, debt."
    ),
    "law_justice_crime": "courts, trials, lawsuits, crime, police, prisons, investigations.",
    "health_medicine": "health care, disease, public health, medicine.",
    "society_rights": (
        "civil rights, gender, race, religion, immigration, education, "
        "welfare, social issues, memory of historical atrocities."
    ),
    "environment_energy": "climate, environment, natural resources, energy supply and policy.",
    "science_technology": "research, technology, internet, AI, space.",
    "culture_sports": "arts, entertainment, media and celebrities, sport.",
    "disasters_accidents": "natural disasters, accidents, emergencies.",
    "other": "bylines, captions, boilerplate, anything not above.",
}

SCHEMA_FILE = "label_schema.json"


@dataclass(frozen=True)
class LabelSchema:
    """Topic labels (ordered, each with a one-line description) and the fixed stance labels."""

    topics: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TOPICS))
    stances: tuple[str, ...] = STANCE_LABELS

    def __post_init__(self) -> None:
        if not self.topics:
            raise ValueError("a label schema needs at least one topic label")
        if tuple(self.stances) != STANCE_LABELS:
            raise ValueError(f"stance labels must be {STANCE_LABELS}, got {tuple(self.stances)}")
        for name in self.topics:
            if not name or name != name.strip():
                raise ValueError(f"bad topic label {name!r}")

    @property
    def topic_labels(self) -> list[str]:
        return list(self.topics)

    def topic_index(self, label: str) -> int:
        return self.topic_labels.index(label)

    def stance_index(self, label: str) -> int:
        return self.stances.index(label)

    def with_topics(self, labels: list[str]) -> LabelSchema:
        """A schema extended by the labels it does not have yet (their description left empty)."""
        topics = dict(self.topics)
        for label in labels:
            topics.setdefault(label, "")
        return LabelSchema(topics=topics)

    def to_dict(self) -> dict:
        return {
            "topics": [{"label": k, "description": v} for k, v in self.topics.items()],
            "stances": list(self.stances),
        }

    @classmethod
    def from_dict(cls, data: dict) -> LabelSchema:
        return cls(
            topics={t["label"]: t.get("description", "") for t in data["topics"]},
            stances=tuple(data.get("stances", STANCE_LABELS)),
        )

    def save(self, directory: str | Path) -> Path:
        path = Path(directory) / SCHEMA_FILE
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: str | Path) -> LabelSchema:
        return cls.from_dict(json.loads((Path(directory) / SCHEMA_FILE).read_text(encoding="utf-8")))
