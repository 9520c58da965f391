"""Inter-annotator agreement on the doubly annotated seed articles: Cohen's kappa for topic and stance.

python scripts/seed_agreement.py seeds/agreement/first_pass.jsonl seeds/agreement/second_pass.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from stancesum.models.articles_io import load_articles


def paired_labels(first: Path, second: Path) -> tuple[list[tuple], list[tuple]]:
    """(article id, sentence index, label) pairs for topic and for stance, aligned across the two passes."""
    a = {x.id: x for x in load_articles(first)}
    b = {x.id: x for x in load_articles(second)}
    if set(a) != set(b):
        raise SystemExit(f"the two files annotate different articles: {sorted(set(a) ^ set(b))[:3]}")
    topic, stance = [], []
    for aid in sorted(a):
        x, y = a[aid], b[aid]
        if [(s.start, s.end) for s in x.sentences] != [(s.start, s.end) for s in y.sentences] or x.targets != y.targets:
            raise SystemExit(f"article {aid}: sentences or targets differ between the passes")
        for i, (s, t) in enumerate(zip(x.sentences, y.sentences, strict=True)):
            topic.append((aid, i, s.topic, t.topic))
            stance.extend((aid, i, target, s.stance[target], t.stance[target]) for target in x.targets)
    return topic, stance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    args = parser.parse_args()
    topic, stance = paired_labels(args.first, args.second)
    report = {
        "articles": len({t[0] for t in topic}),
        "sentences": len(topic),
        "stance_pairs": len(stance),
        "topic_kappa": cohen_kappa_score([t[2] for t in topic], [t[3] for t in topic]),
        "topic_agreement": sum(t[2] == t[3] for t in topic) / len(topic),
        "stance_kappa": cohen_kappa_score([s[3] for s in stance], [s[4] for s in stance]),
        "stance_agreement": sum(s[3] == s[4] for s in stance) / len(stance),
        "stance_kappa_polar_only": None,
        "topic_confusions": Counter(f"{t[2]} / {t[3]}" for t in topic if t[2] != t[3]).most_common(10),
        "stance_confusions": Counter(f"{s[3]} / {s[4]}" for s in stance if s[3] != s[4]).most_common(),
    }
    polar = [s for s in stance if s[3] != "none" or s[4] != "none"]
    if polar:
        report["stance_kappa_polar_only"] = cohen_kappa_score([s[3] for s in polar], [s[4] for s in polar])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
